"""The case list and its CSV through the Flask test client: each filter, the
sorts, pages, the CSV's separators and escaping, refusals, other tenants and
who sees what, and a query budget that does not grow with the cases (issue 15)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.test_case_pages import login, text_of
from tests.support.cases import book, publish_example
from tests.support.web import reads, statements
from tests.support.world import World


def rows(html: str) -> list[str]:
    body = html.split('data-testid="case-table"')[1] if 'data-testid="case-table"' in html else ""
    return [part.split('"')[0] for part in body.split('data-testid="case-row-')[1:]]


def day(d: str, start: str = "08:00", end: str = "12:00") -> dict[str, str]:
    return {"scheduled_start": f"{d}T{start}:00+01:00", "scheduled_end": f"{d}T{end}:00+01:00"}


def csv_rows(resp: Any) -> list[list[str]]:
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8")[1:]), delimiter=";"))


def transition(world: World, case: dict[str, Any], tid: str, comment: str = "") -> None:
    body: dict[str, Any] = {"transition": tid}
    if comment:
        body["comment"] = comment
    resp = world.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions", json=body)
    assert resp.status_code == 200, resp.json


def test_every_case_of_the_tenant_with_labels_and_counts(world_with_bundle: World) -> None:
    world = world_with_bundle
    mine = book(world, title="Install in Umeå", **day("2026-12-01"))
    book(world, "b", title="Other workspace case")
    html = text_of(login(world, "coordinator").get("/cases"))
    assert rows(html) == [str(mine["id"])]
    assert "Install in Umeå" in html and "Other workspace case" not in html
    assert "1–1 of 1" in html and "Scheduled" in html and "Heat pump installation" in html
    assert "Lena Berg" in html and 'data-label="Ready to invoice">No (' in html
    assert "scheduled" not in html.split('data-label="Status">')[1].split("<")[0]


def test_search_and_each_filter(world_with_bundle: World) -> None:
    world = world_with_bundle
    tech = world.a.emails["technician"]
    a = book(world, title="Pump in Umeå", **day("2027-01-05"))
    b = book(world, title="Boiler", assignee=None, site={"street": "Kungsgatan 9",
                                                         "city": "Luleå"}, **day("2027-01-07"))
    c = book(world, title="Old job", customer={"name": "Sven Ek"}, **day("2026-11-02"))
    client = login(world, "coordinator")

    def ids(query: str) -> set[str]:
        resp = client.get(f"/cases?{query}")
        assert resp.status_code == 200, text_of(resp)
        return set(rows(text_of(resp)))

    assert ids("q=luleå") == {str(b["id"])} and ids("q=kungsgatan") == {str(b["id"])}
    assert ids("q=Sven") == {str(c["id"])} and ids(f"q={a['number']}") == {str(a["id"])}
    assert ids("assignee=unassigned") == {str(b["id"])}
    assert ids(f"assignee={tech}") == {str(a["id"]), str(c["id"])}
    assert ids("from=2027-01-05&to=2027-01-06") == {str(a["id"])}
    assert ids("from=2027-01-07") == {str(b["id"])}
    assert ids("case_type=installation") == {str(a["id"]), str(b["id"]), str(c["id"])}
    assert len(ids("status=booked")) == 3 and ids("status=in_progress") == set()
    assert ids("overdue=1") == {str(c["id"])}  # past its end, work not done
    assert ids("ready=1") == set() and len(ids("ready=0")) == 3
    assert ids("owner=customer") == set() and len(ids("owner=assignee") | ids("owner=role")) == 3
    transition(world, c, "cancel", "customer moved")
    assert ids("overdue=1") == set()  # a final state is never overdue
    assert ids("status=cancelled") == {str(c["id"])} and len(ids("status=booked")) == 2
    assert "(1 on)" in text_of(client.get("/cases?overdue=1"))


def test_sorting_keeps_filters_and_pages_count(world_with_bundle: World) -> None:
    world = world_with_bundle
    made = [book(world, title=f"Job {i}", **day(f"2026-12-{i + 1:02d}")) for i in range(3)]
    client = login(world, "coordinator")
    html = text_of(client.get("/cases?sort=scheduled&q=Job"))
    assert rows(html) == [str(m["id"]) for m in made]
    assert rows(text_of(client.get("/cases?sort=-scheduled&q=Job"))) == [
        str(m["id"]) for m in reversed(made)]
    link = html.split('data-testid="sort-scheduled"')[0][-300:]
    assert "sort=-scheduled" in link and "q=Job" in link
    assert rows(text_of(client.get("/cases?sort=-number"))) == [
        str(m["id"]) for m in reversed(made)]


def test_fifty_to_a_page(world_with_bundle: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.platform.services import case_list

    monkeypatch.setattr(case_list, "PAGE_SIZE", 2)
    world = world_with_bundle
    for i in range(5):
        book(world, title=f"Job {i}")
    client = login(world, "coordinator")
    first = text_of(client.get("/cases?sort=number"))
    assert "1–2 of 5" in first and "Page 1 of 3" in first and 'data-testid="next-page"' in first
    last = text_of(client.get("/cases?sort=number&page=3"))
    assert "5–5 of 5" in last and len(rows(last)) == 1 and "sort=number" in last
    assert "5–5 of 5" in text_of(client.get("/cases?sort=number&page=99"))


@pytest.mark.parametrize("query, words", [
    ("status=nonsense", "There is no status"), ("case_type=boats", "There is no case type"),
    ("assignee=who@example.test", "is not a technician"), ("owner=me", "Whose turn"),
    ("ready=maybe", "Ready to invoice"), ("overdue=yes", "Overdue"),
    ("from=yesterday", "use a date like"), ("from=2026-12-05&to=2026-12-01", "before"),
    ("sort=colour", "sorts by"), ("page=0", "not a page number")])
def test_unknown_values_are_refused_in_words(world_with_bundle: World, query: str,
                                             words: str) -> None:
    book(world_with_bundle)
    client = login(world_with_bundle, "coordinator")
    for path in ("/cases", "/cases.csv"):
        resp = client.get(f"{path}?{query}")
        assert resp.status_code == 400 and words in text_of(resp), text_of(resp)


def test_who_sees_what(world_with_bundle: World) -> None:
    world = world_with_bundle
    theirs = book(world, title="For the technician")
    other = book(world, title="Nobody's yet", assignee=None)
    assert set(rows(text_of(login(world, "viewer").get("/cases")))) == {
        str(theirs["id"]), str(other["id"])}
    tech = text_of(login(world, "technician").get("/cases"))
    assert rows(tech) == [str(theirs["id"])]
    assert rows(text_of(login(world, "coordinator", "b").get("/cases"))) == []
    assert login(world, "coordinator").get("/cases").status_code == 200


def test_csv_has_every_row_in_the_locales_separators_and_no_formulas(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    book(world, title="=HYPERLINK(\"http://evil\")", customer={"name": "+46 Berg; AB"},
         **day("2026-12-01"))
    book(world, title="-1 plain", assignee=None)
    book(world, "b", title="Not ours")
    resp = login(world, "coordinator").get("/cases.csv?sort=number")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    table = csv_rows(resp)
    assert table[0][:4] == ["Number", "Title", "Case type", "Status"]
    assert len(table) == 3
    assert table[1][1] == "'=HYPERLINK(\"http://evil\")" and table[1][4] == "'+46 Berg; AB"
    assert table[2][1] == "'-1 plain" and table[2][6] == ""
    assert table[1][2] == "Heat pump installation"
    assert table[1][3] != "scheduled" and table[1][7] == "no"
    assert "Not ours" not in resp.get_data(as_text=True)
    only = csv_rows(login(world, "coordinator").get("/cases.csv?assignee=unassigned"))
    assert len(only) == 2 and only[1][1] == "'-1 plain"


def test_csv_separators_follow_the_csv_connectors_choice() -> None:
    from workorders.platform.web.case_list import csv_separators, safe_cell

    assert csv_separators("sv-SE") == (";", ",") and csv_separators("en-GB") == (",", ".")
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@x", "ok")] == [
        "'=1", "'+1", "'-1", "'@x", "ok"]


def test_the_page_is_read_with_a_fixed_number_of_queries(world_with_bundle: World) -> None:
    world = world_with_bundle
    client = login(world, "coordinator")

    def selects(path: str) -> int:
        with statements(world.app) as seen:
            assert client.get(path).status_code == 200
        return reads(seen)

    book(world)
    few, few_csv = selects("/cases?ready=0"), selects("/cases.csv")
    for _ in range(6):
        book(world)
        book(world, assignee=None)
    assert selects("/cases?ready=0") == few and selects("/cases.csv") == few_csv


def test_ready_to_invoice_agrees_with_the_case_page(world: World) -> None:
    """The list's yes/no and reason count are the case's own invoice blockers."""
    from tests.integration.test_rules_flow import COMMISSIONING
    from tests.support.capture import jpeg_bytes, png_bytes, report, started_case, upload

    publish_example(world)
    done = started_case(world)
    cid = done["id"]
    photo = upload(world, cid, jpeg_bytes()).json["id"]
    signature = upload(world, cid, png_bytes(), name="signature.png").json["id"]
    signed = {"customer_signature": {"image": signature, "name": "Lena Berg"}}
    tech = world.api("technician")
    for form, data in (("installation_report", report(photo, signature)),
                       ("commissioning_protocol", {**COMMISSIONING, **signed})):
        resp = tech.post(f"/api/v1/cases/{cid}/submissions", json={"form": form, "data": data})
        assert resp.status_code == 201, resp.get_data(as_text=True)
    assert tech.post(f"/api/v1/cases/{cid}/transitions",
                     json={"transition": "complete"}).status_code == 200
    waiting = book(world, title="Not done yet")
    client = login(world, "coordinator")
    for case in (done, waiting):
        invoice = world.api().get(f"/api/v1/cases/{case['id']}").json["invoice"]
        html = text_of(client.get(f"/cases?q={case['number']}"))
        cell = html.split('data-label="Ready to invoice">')[1].split("</td>")[0]
        n = len(invoice["blockers"])
        assert cell == ("Yes" if invoice["ready"] else f"No ({n} reason{'' if n == 1 else 's'})")
    ready = world.api().get(f"/api/v1/cases/{cid}").json["invoice"]["ready"]
    assert ready is True  # signed, done, nothing pending
    assert (str(cid) in rows(text_of(client.get("/cases?ready=1")))) is ready
    assert (str(cid) in rows(text_of(client.get("/cases?ready=0")))) is not ready
    assert str(waiting["id"]) in rows(text_of(client.get("/cases?ready=0")))
    assert str(waiting["id"]) not in rows(text_of(client.get("/cases?ready=1")))
    # the connectors' data: the same case without the customer's invoicing details
    resp = world.api("coordinator").patch(f"/api/v1/cases/{cid}",
                                          json={"customer": {"name": "Lena Berg"}})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    invoice = world.api().get(f"/api/v1/cases/{cid}").json["invoice"]
    assert invoice["ready"] is False
    assert {b["kind"] for b in invoice["blockers"]} == {"data"}
    assert str(cid) not in rows(text_of(client.get("/cases?ready=1")))
    assert str(cid) in rows(text_of(client.get("/cases?ready=0")))
    html = text_of(client.get(f"/cases?q={done['number']}"))
    n = len(invoice["blockers"])
    assert f"No ({n} reason{'' if n == 1 else 's'})" in html
