"""A customer's email, Peppol id and phone number: the booking and edit pages, the
API and the CSV import refuse a bad one with the same sentence (forms.messages)
and store nothing; a good phone number is stored in E.164."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_case_edit import edit_form
from tests.integration.test_case_import import upload
from tests.integration.test_case_pages import _booking_form, count_cases, login, text_of
from tests.support.cases import book, booking, publish_example
from tests.support.state import snapshot
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


# ---- phone numbers: checked with phonenumbers, stored in E.164 ---------------------

def _stored(world: World, case_id: int) -> dict[str, Any]:
    return dict(world.api().get(f"/api/v1/cases/{case_id}").json)


def test_a_booking_stores_the_phone_in_e164_read_in_the_customers_country(
        cases: World) -> None:
    swedish = booking(cases)["customer"] | {"phone": "070-123 45 67"}
    resp = cases.api("coordinator").post("/api/v1/cases", json=booking(cases, customer=swedish))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert _stored(cases, resp.json["id"])["customer"]["phone"] == "+46701234567"
    # a Norwegian customer's local number is read in Norway, not the tenant's Sweden
    norwegian = {"name": "Kari Nordmann", "phone": "412 34 567",
                 "address": {"city": "Oslo", "country": "NO"}}
    resp = cases.api("coordinator").post("/api/v1/cases",
                                         json=booking(cases, customer=norwegian))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert _stored(cases, resp.json["id"])["customer"]["phone"] == "+4741234567"


def test_a_landline_is_refused_alike_by_page_and_api_when_the_tenant_texts_customers(
        cases: World) -> None:
    """The example bundle texts its customers (on my way, visit moved), so a number a
    text message cannot reach is refused at booking, with the sentence a send would
    fail with; nothing is written."""
    from workorders.forms.phones import mobile_problem

    client = login(cases, "coordinator")
    before = snapshot(cases.app)
    landline = booking(cases)["customer"] | {"phone": "090-12 34 56"}
    sentence = mobile_problem("+4690123456")
    assert sentence == ("+46 90 12 34 56 is not a mobile number, so a text message cannot "
                        "reach it. Give a mobile number like +46 70 123 45 67.")
    api = _api_errors(cases.api("coordinator").post("/api/v1/cases",
                                                   json=booking(cases, customer=landline)))
    assert api == {"/customer/phone": sentence}
    resp = client.post("/cases/new?case_type=installation",
                       data=_booking_form(cases, customer_phone="090-12 34 56"))
    assert resp.status_code == 422
    assert _page_error(text_of(resp), "customer_phone") == sentence
    # said at once, beside the page's other problems, not after they are fixed
    both = client.post("/cases/new?case_type=installation", data=_booking_form(
        cases, customer_phone="090-12 34 56", customer_email="not-an-email"))
    assert _page_error(text_of(both), "customer_phone") == sentence
    assert _page_error(text_of(both), "customer_email")
    assert snapshot(cases.app) == before


@pytest.mark.parametrize("phone", ["12", "call me", "+46 70 999", "070-123 45 67 89 10 11"])
def test_an_invalid_phone_is_refused_alike_by_page_and_api(cases: World, phone: str) -> None:
    client = login(cases, "coordinator")
    before = snapshot(cases.app)
    customer = booking(cases)["customer"] | {"phone": phone}
    api = _api_errors(cases.api("coordinator").post("/api/v1/cases",
                                                   json=booking(cases, customer=customer)))
    assert api == {"/customer/phone": msg.PHONE}
    resp = client.post(
        "/cases/new?case_type=installation", data=_booking_form(cases, customer_phone=phone))
    assert resp.status_code == 422
    assert _page_error(text_of(resp), "customer_phone") == msg.PHONE
    assert snapshot(cases.app) == before


def test_the_booking_page_stores_a_typed_number_in_e164(cases: World) -> None:
    resp = login(cases, "coordinator").post(
        "/cases/new?case_type=installation",
        data=_booking_form(cases, customer_phone="070 123 45 67"))
    assert resp.status_code == 302, text_of(resp)
    [case] = cases.api().get("/api/v1/cases").json["items"]
    assert case["customer"]["phone"] == "+46701234567"


def test_a_change_checks_the_phone_on_the_api_and_the_edit_page(cases: World) -> None:
    case = book(cases)
    client = login(cases, "coordinator")
    before = snapshot(cases.app)
    customer = booking(cases)["customer"] | {"phone": "0701"}
    api = _api_errors(cases.api("coordinator").patch(f"/api/v1/cases/{case['id']}",
                                                    json={"customer": customer}))
    assert api == {"/customer/phone": msg.PHONE}
    page = client.post(f"/cases/{case['id']}/edit", data=edit_form(
        cases, case, customer_phone="0701"))
    assert page.status_code == 422
    assert _page_error(text_of(page), "customer_phone") == msg.PHONE
    assert snapshot(cases.app) == before

    customer["phone"] = "+47 412 34 567"
    ok = cases.api("coordinator").patch(f"/api/v1/cases/{case['id']}",
                                        json={"customer": customer})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert _stored(cases, case["id"])["customer"]["phone"] == "+4741234567"


def test_the_csv_import_checks_and_stores_phones_like_a_booking(cases: World) -> None:
    text = ("case_type;title;customer_name;customer_phone;customer_country\n"
            "installation;Good phone;Lena Berg;070-123 45 67;SE\n"
            "installation;Bad phone;Olle Ek;123;SE\n")
    report = upload(cases, text).json
    assert report["created"] == 1, report
    assert [e["row"] for e in report["errors"]] == [3]
    assert msg.PHONE in report["errors"][0]["message"]
    [case] = cases.api().get("/api/v1/cases").json["items"]
    assert (case["title"], case["customer"]["phone"]) == ("Good phone", "+46701234567")


def test_pages_show_the_stored_number_grouped_and_call_its_e164(cases: World) -> None:
    customer = booking(cases)["customer"] | {"phone": "0701234567"}
    case = book(cases, customer=customer)
    assert _stored(cases, case["id"])["customer"]["phone"] == "+46701234567"
    client = login(cases, "coordinator")
    page = text_of(client.get(f"/cases/{case['id']}"))
    assert '<a href="tel:+46701234567">+46 70 123 45 67</a>' in page
    edit = text_of(client.get(f"/cases/{case['id']}/edit"))
    assert 'value="+46 70 123 45 67"' in edit
