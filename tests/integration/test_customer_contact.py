"""A customer's email, Peppol id and phone number: the booking page and the API
refuse a bad one with the same sentence (forms.messages), and store nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_case_pages import _booking_form, count_cases, login, text_of
from tests.support.cases import booking, publish_example
from tests.support.world import World
from workorders.forms import messages as msg


@pytest.fixture
def cases(world: World) -> World:
    publish_example(world)
    return world


def _api_errors(resp: Any, status: int = 422) -> dict[str, str]:
    problem = assert_problem(resp, status)
    return {e["path"]: e["message"] for e in problem["errors"]}


def _page_error(html: str, name: str) -> str:
    marker = f'data-field="{name}">'
    assert marker in html, name
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_email_and_peppol_id_are_refused_alike_by_page_and_api(cases: World) -> None:
    customer = {**booking(cases)["customer"], "email": "not-an-email", "peppol_id": "5561"}
    api = _api_errors(cases.api("coordinator").post("/api/v1/cases",
                                                   json=booking(cases, customer=customer)))
    assert api["/customer/email"].endswith(msg.EMAIL)
    assert api["/customer/peppol_id"].endswith(msg.PEPPOL_ID)
    page = text_of(login(cases, "coordinator").post(
        "/cases/new?case_type=installation",
        data=_booking_form(cases, customer_email="not-an-email", customer_peppol_id="5561")))
    assert _page_error(page, "customer_email") == msg.EMAIL
    assert _page_error(page, "customer_peppol_id") == msg.PEPPOL_ID
    assert count_cases(cases) == 0
