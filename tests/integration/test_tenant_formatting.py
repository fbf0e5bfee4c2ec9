"""A Swedish tenant's pages read the Swedish way (issue 15): money ``1 234,50 kr``
and CET/CEST times in the tenant's zone on the case page, board, exports and the
customer pages, which carry the tenant's name and logo; a bundle with a bad time
zone or logo is refused in plain words; the logo is served with its own type."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_case_pages import login, text_of
from tests.support.capture import png_bytes, unresolved_service_visit
from tests.support.cases import ROOT, book
from tests.support.exports import (
    SECRET,
    connectors_yaml,
    drain,
    exports_of,
    invoice,
    ready_case,
    running_receiver,
)
from tests.support.outbox import approval_email, approval_path, plain_text
from tests.support.state import snapshot
from tests.support.world import World

NB = "\xa0"
LOGO = png_bytes()
LOGO_URL = "data:image/png;base64," + base64.b64encode(LOGO).decode()
SETTINGS = f"locale: sv-SE\ntimezone: Europe/Stockholm\nbranding:\n  logo: \"{LOGO_URL}\"\n"


def _source(settings: str = SETTINGS, connectors: str | None = None) -> str:
    text = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    ours = "locale: sv-SE\ntimezone: Europe/Stockholm\n"
    assert ours in text
    text = text.replace(ours, settings, 1)
    if connectors is not None:
        head, rest = text.split("\nconnectors:\n", 1)
        text = f"{head}\n{connectors}{rest[rest.index(chr(10) + 'tests:'):]}"
    return text


def _publish(world: World, text: str, tenant: str = "a") -> None:
    from workorders.platform.services.definitions import create_draft, publish_version
    from workorders.platform.services.tenant_secrets import set_secret

    cast = world.a if tenant == "a" else world.b
    with world.app.app_context():
        set_secret(cast.tenant_id, "EXPORT_TEST_SECRET", SECRET, cast.emails["admin"])
        draft = create_draft(cast.tenant_id, text.encode(), cast.emails["admin"])
        publish_version(cast.tenant_id, draft.number, cast.emails["admin"])


def _status_path(world: World, case_id: int) -> str:
    from workorders.platform.extensions import db
    from workorders.platform.models import Case
    from workorders.platform.services.customer_links import status_link

    with world.app.test_request_context("/"):
        link = status_link(db.session.get(Case, case_id))  # type: ignore[arg-type]
    return "/" + link.split("/", 3)[3]


def test_case_page_and_board_show_swedish_times_in_cet(world: World) -> None:
    _publish(world, _source())
    case = book(world)  # 2026-11-26 08:00-16:00 +01:00
    page = login(world, "coordinator")
    page.set_cookie("wo_tz", "America/New_York")  # the tenant's zone wins for display
    text = text_of(page.get(f"/cases/{case['id']}"))
    assert "tors 26 nov. 2026 08:00–16:00 CET" in text
    board = text_of(page.get("/board", follow_redirects=True))
    assert "tors 26 nov. 2026 08:00" in board and "02:00" not in board


def test_summer_times_read_cest(world: World) -> None:
    _publish(world, _source())
    case = book(world, scheduled_start="2026-07-01T06:00:00Z",
                scheduled_end="2026-07-01T14:00:00Z")
    text = text_of(login(world, "coordinator").get(f"/cases/{case['id']}"))
    assert "ons 1 juli 2026 08:00–16:00 CEST" in text


def test_an_english_tenant_in_london_reads_its_own_way(world: World) -> None:
    _publish(world, _source("locale: en-GB\ntimezone: Europe/London\n"))
    case = book(world)
    text = text_of(login(world, "coordinator").get(f"/cases/{case['id']}"))
    assert "Thu, 26 Nov 2026, 07:00–15:00 GMT" in text


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def test_exports_and_reconciliation_show_kronor(world: World) -> None:
    with running_receiver([500, 500]) as receiver:
        _publish(world, _source(connectors=connectors_yaml(receiver.url, only=("generic",),
                                                           max_attempts=2)))
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
    [export] = exports_of(world)
    amount = f"5{NB}688,00{NB}kr"
    assert export["net_amount"] == "5688.00"  # the API keeps plain decimals
    page = login(world, "coordinator")
    assert amount in text_of(page.get("/exports"))
    assert f"{amount} net" in text_of(page.get(f"/exports/{export['id']}"))
    assert amount in text_of(page.get(f"/cases/{case['id']}"))  # its export history
    assert amount in text_of(page.get("/reconciliation"))


def test_the_customer_status_page_carries_name_logo_and_cet(world: World) -> None:
    _publish(world, _source())
    case = book(world)
    client = world.app.test_client()
    text = text_of(client.get(_status_path(world, case["id"])))
    assert 'data-testid="tenant-name">Alpha Heat AB<' in text
    logo = re.search(r'<img src="(/brand/[^"]+)"[^>]*data-testid="tenant-logo"', text)
    assert logo, text
    assert "tors 26 nov. 2026 08:00–16:00 CET" in text
    assert 'lang="sv-SE"' in text
    served = client.get(logo.group(1).replace("&amp;", "&"))
    assert served.status_code == 200 and served.data == LOGO
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "public" in served.headers["Cache-Control"]
    again = client.get(logo.group(1), headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304


def test_a_tenant_without_a_logo_has_none_and_unknown_tenants_404(world: World) -> None:
    _publish(world, _source("locale: sv-SE\n"))
    case = book(world)
    client = world.app.test_client()
    text = text_of(client.get(_status_path(world, case["id"])))
    assert "tenant-logo" not in text and "tenant-name" in text
    assert client.get(f"/brand/{world.a.slug}/logo").status_code == 404
    assert client.get("/brand/no-such-tenant/logo").status_code == 404


def test_the_logo_is_the_tenants_own(world: World) -> None:
    _publish(world, _source())
    _publish(world, _source("locale: sv-SE\n"), tenant="b")
    client = world.app.test_client()
    assert client.get(f"/brand/{world.a.slug}/logo").data == LOGO
    assert client.get(f"/brand/{world.b.slug}/logo").status_code == 404


def _approval_link(world: World) -> str:
    return approval_path(world.app)


def _approval_asked(world: World) -> str:
    from tests.integration.test_rules_flow import started_case_of_type

    _publish(world, _source())
    case = started_case_of_type(world, "service")
    data = unresolved_service_visit()
    resp = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions",
                                        json={"form": "service_visit", "data": data})
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    return _approval_link(world)


def test_the_approval_page_lists_the_lines_in_kronor_and_says_it_was_rejected(
        world: World) -> None:
    link = _approval_asked(world)
    client = world.app.test_client()
    text = text_of(client.get(link))
    assert "Your approval is needed" in text and 'data-testid="tenant-logo"' in text
    table = text.split('data-testid="approval-lines"')[1].split("</table>")[0]
    assert "Replaced the compressor" not in table  # lines, not the report's words
    amounts = re.findall(r"[\d\xa0]+,\d\d\xa0kr", table)
    assert len(amounts) >= 5, table  # unit price and total of each line, and the sum
    assert re.search(r'data-testid="approval-net"><strong>[\d\xa0]+,\d\d\xa0kr', table)
    client.post(link, data={"reject": "Reject", "comment": "Too expensive"})
    decided = text_of(client.get(link))
    assert 'data-testid="approval-heading">You rejected this<' in decided
    assert "This was rejected on" in decided and "Approve" not in decided.split("<main")[1]


def test_the_approval_page_says_it_was_approved(world: World) -> None:
    link = _approval_asked(world)
    client = world.app.test_client()
    client.post(link, data={"approve": "Approve"})
    decided = text_of(client.get(link))
    assert 'data-testid="approval-heading">You approved this<' in decided


@pytest.mark.parametrize(("settings", "words"), [
    ("locale: sv-SE\ntimezone: Europe/Stokholm\n",
     ["'Europe/Stokholm' is not a time zone name", "did you mean 'Europe/Stockholm'?"]),
    ("locale: sv-SE\nbranding:\n  logo: \"data:image/png;base64,"
     + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 70_000).decode() + "\"\n",
     ["the logo is larger than 64 KB"]),
    ("locale: sv-SE\nbranding:\n  logo: \"data:text/html;base64,"
     + base64.b64encode(b"<script>alert(1)</script>").decode() + "\"\n",
     ["the logo is text/html; use a PNG, JPEG or WebP image"]),
    ("locale: sv-SE\nbranding:\n  logo: \"https://cdn.example.com/logo.png\"\n",
     ["the logo must be the image itself as a data: URL, not a link"]),
])
def test_a_bad_time_zone_or_logo_is_refused_in_plain_words(world: World, settings: str,
                                                           words: list[str]) -> None:
    before = snapshot(world.app)
    admin = world.api("admin")
    check = admin.post("/api/v1/definitions/validate", data=_source(settings),
                       headers={"Content-Type": "application/yaml"})
    assert check.status_code == 200 and check.json["valid"] is False
    said = " ".join(f"{e['message']} {e.get('hint') or ''}" for e in check.json["errors"])
    assert all(w in said for w in words), said
    store = admin.post("/api/v1/definitions", data=_source(settings),
                       headers={"Content-Type": "application/yaml"})
    assert_problem(store, 422)
    assert snapshot(world.app) == before


def test_the_form_previews_totals_are_in_kronor(world: World) -> None:
    from werkzeug.datastructures import MultiDict

    from tests.integration.test_capture_pages import pairs
    from tests.support.capture import report

    _publish(world, _source())
    admin = login(world, "admin")
    resp = admin.post("/admin/definitions/1/forms/installation_report/preview",
                      data=MultiDict(pairs(report("example", hours="17"), "final")))
    html = text_of(resp)
    totals = re.search(r"<p>Totals: ([^<]*)</p>", html)
    assert totals, html
    assert re.fullmatch(r"18 h, net [\d\xa0]+,\d\d\xa0kr, gross [\d\xa0]+,\d\d\xa0kr\.",
                        totals.group(1)), totals.group(1)


def test_the_customers_approval_email_writes_kronor(world: World) -> None:
    _approval_asked(world)
    body = plain_text(approval_email(world.app))
    assert re.search(r"costs \d{2}\xa0\d{3},\d\d\xa0kr incl\. VAT", body), body
