"""CSV booking import: good rows booked, bad rows reported, the same file twice
creates nothing new."""

from __future__ import annotations

import io

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.support.cases import publish_example
from tests.support.state import snapshot
from tests.support.world import World

HEADER = ("case_type;title;customer_name;customer_email;customer_erp_id;site_street;site_city;"
          "scheduled_start;scheduled_end;assignee;field:customer_reference")
GOOD = [
    "installation;Install F2120;Lena Berg;lena@example.test;C-1;Storgatan 1;Umeå;"
    "2026-12-01 08:00;2026-12-01 16:00;technician@alpha.test;PO-77",
    "service;Annual service;Olle Ek;;C-2;Byvägen 3;Luleå;;;;",
]
BAD = [
    "teleport;Beam me up;Scotty;;;;;;;;",                       # unknown case type
    "installation;;Nameless title;;;;;;;;",                     # empty title
    "installation;Late;Per;;;;;2026-12-02 10:00;2026-12-01 10:00;;",  # end before start
    "installation;Who;Anna;;;;;;;coordinator@alpha.test;",      # not a technician
]


@pytest.fixture
def cases(world: World) -> World:
    publish_example(world)
    return world


def upload(world: World, text: str, role: str = "coordinator", **form: str):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(text.encode("utf-8")), "bookings.csv"), **form}
    return world.api(role).post("/api/v1/cases/import", data=data,
                                content_type="multipart/form-data")


def test_good_rows_are_booked_and_bad_rows_named(cases: World) -> None:
    text = "\ufeff" + "\n".join([HEADER, *GOOD, *BAD]) + "\n"   # a BOM, as Excel writes it
    resp = upload(cases, text, timezone="Europe/Stockholm")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    report = resp.json
    assert (report["created"], report["skipped"], report["status"]) == (2, 0, "finished")
    assert [e["row"] for e in report["errors"]] == [4, 5, 6, 7]
    assert "teleport" in report["errors"][0]["message"]
    assert "end" in report["errors"][2]["message"]
    assert "technician" in report["errors"][3]["message"]
    listed = cases.api().get("/api/v1/cases").json["items"]
    first = next(c for c in listed if c["title"] == "Install F2120")
    assert first["scheduled_start"] == "2026-12-01T07:00:00+00:00"  # 08:00 in Stockholm
    assert first["fields"] == {"customer_reference": "PO-77"}
    assert first["customer"]["erp_id"] == "C-1"
    progress = cases.api().get(f"/api/v1/imports/{report['id']}").json
    assert progress["processed_rows"] == progress["total_rows"] == 6


def test_times_without_an_offset_are_read_in_the_tenants_zone(cases: World) -> None:
    """The example tenant books in Europe/Stockholm: 08:00 in the file is 08:00
    there (07:00 UTC in winter), not 08:00 UTC; a written offset still wins."""
    text = "\n".join([HEADER, GOOD[0],
                      "service;With offset;Olle Ek;;C-2;;;2026-12-01T08:00+00:00;;;"])
    report = upload(cases, text).json  # no timezone named in the upload
    assert report["created"] == 2, report
    listed = {c["title"]: c for c in cases.api().get("/api/v1/cases").json["items"]}
    assert listed["Install F2120"]["scheduled_start"] == "2026-12-01T07:00:00+00:00"
    assert listed["Install F2120"]["scheduled_end"] == "2026-12-01T15:00:00+00:00"
    assert listed["With offset"]["scheduled_start"] == "2026-12-01T08:00:00+00:00"


def test_a_named_zone_wins_over_the_tenants(cases: World) -> None:
    report = upload(cases, "\n".join([HEADER, GOOD[0]]), timezone="UTC").json
    assert report["created"] == 1, report
    [case] = cases.api().get("/api/v1/cases").json["items"]
    assert case["scheduled_start"] == "2026-12-01T08:00:00+00:00"


def test_the_same_file_twice_creates_nothing_new(cases: World) -> None:
    text = "\n".join([HEADER, *GOOD])
    upload(cases, text)
    before = len(cases.api().get("/api/v1/cases").json["items"])
    again = upload(cases, text).json
    assert (again["created"], again["skipped"]) == (0, 2)
    assert len(cases.api().get("/api/v1/cases").json["items"]) == before == 2


def test_commas_work_as_delimiter(cases: World) -> None:
    text = "case_type,title,customer_name\ninstallation,Comma job,\"Berg, Lena\"\n"
    assert upload(cases, text).json["created"] == 1
    assert cases.api().get("/api/v1/cases").json["items"][0]["customer"]["name"] == "Berg, Lena"


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty"),
    ("title;what\nx;y\n", "unknown columns: what"),
    ("case_type;title\ninstallation;x\n", "missing columns: customer_name"),
])
def test_malformed_files_are_refused_whole(cases: World, content: str, message: str) -> None:
    before = snapshot(cases.app)
    problem = assert_problem(upload(cases, content), 422)
    assert message in str(problem)
    assert snapshot(cases.app) == before


def test_non_utf8_and_oversized_files_are_refused(cases: World) -> None:
    before = snapshot(cases.app)
    latin1 = {"file": (io.BytesIO(f"{HEADER}\ninstallation;Café;Åsa\n".encode("latin-1")),
                       "x.csv")}
    resp = cases.api("coordinator").post("/api/v1/cases/import", data=latin1,
                                         content_type="multipart/form-data")
    assert "UTF-8" in str(assert_problem(resp, 422))
    huge = {"file": (io.BytesIO(b"x" * (6 * 1024 * 1024)), "big.csv")}
    resp = cases.api("coordinator").post("/api/v1/cases/import", data=huge,
                                         content_type="multipart/form-data")
    assert_problem(resp, 413)
    assert_problem(upload(cases, HEADER, timezone="Mars/Olympus"), 422)
    assert snapshot(cases.app) == before


def test_only_bookers_import(cases: World) -> None:
    before = snapshot(cases.app)
    assert_problem(upload(cases, "\n".join([HEADER, *GOOD]), role="technician"), 403)
    assert snapshot(cases.app) == before
