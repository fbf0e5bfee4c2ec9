"""Hostile or broken input is a clear 4xx and changes nothing, on every route:
ids larger than an id column holds, JSON nested without end, lone surrogates and NUL characters
(PostgreSQL text cannot hold them), numbers too large for the database, and
huge numbers in definition bundles. None of them may reach a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.integration.test_api_errors import assert_problem
from tests.integration.test_case_pages import login
from tests.support.cases import book, booking, publish_example
from tests.support.state import snapshot
from tests.support.world import World

ROOT = Path(__file__).resolve().parents[2]
BEYOND_INT64 = ("9223372036854775808", "1" + "0" * 30)
TOO_LARGE_IDS = ("2147483648", "9223372036854775807", *BEYOND_INT64)
LARGEST_ID = "2147483647"  # what an id column (PostgreSQL integer) holds
HUGE = "9" * 5000  # more digits than Python turns into an int by default


def _int_routes(app: Flask, api: bool) -> list[tuple[str, str]]:
    """(method, rule) of every route with an integer id, on the API or the pages."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") != api or "<int:" not in rule.rule:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule))
    assert routes
    return routes


def _fill(rule: str, number: str) -> str:
    import re

    return re.sub(r"<(?:(\w+):)?(\w+)>",
                  lambda m: number if m.group(1) == "int" else "x", rule)


@pytest.mark.parametrize("number", [*TOO_LARGE_IDS, LARGEST_ID])
def test_too_large_ids_are_404_on_every_api_route(world: World, number: str) -> None:
    api = world.api("admin")
    before = snapshot(world.app)
    for method, rule in _int_routes(world.app, api=True):
        url = _fill(rule, number)
        kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
        resp = api.open(url, method=method, **kwargs)
        assert resp.status_code == 404, f"{method} {url} gave {resp.status_code}"
        assert resp.mimetype == "application/problem+json"
    assert snapshot(world.app) == before


@pytest.mark.parametrize("number", [*TOO_LARGE_IDS, LARGEST_ID])
def test_too_large_ids_are_404_on_every_page(world: World, number: str) -> None:
    page = login(world, "admin")
    before = snapshot(world.app)
    for method, rule in _int_routes(world.app, api=False):
        url = _fill(rule, number)
        resp = page.open(url, method=method, data={"_action": "draft"})
        assert resp.status_code == 404, f"{method} {url} gave {resp.status_code}"
    assert snapshot(world.app) == before


def test_the_openapi_document_bounds_path_ids(world: World) -> None:
    doc = world.app.test_client().get("/api/v1/openapi.json").json
    [param] = doc["paths"]["/api/v1/exports/{export_id}"]["get"]["parameters"]
    assert param["schema"]["maximum"] == int(LARGEST_ID)
    assert f"/{LARGEST_ID}" in world.app.url_map.bind("localhost").build(
        "api.get_export", {"export_id": int(LARGEST_ID)})


DEEP = b"[" * 100_000
NESTED_100 = b'{"a":' * 100 + b"1" + b"}" * 100


@pytest.mark.parametrize("body", [DEEP, NESTED_100], ids=["100000-deep", "100-deep"])
@pytest.mark.parametrize("key", [None, "deep-1"], ids=["plain", "idempotent"])
def test_deeply_nested_json_is_400(world: World, body: bytes, key: str | None) -> None:
    publish_example(world)
    before = snapshot(world.app)
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    problem = assert_problem(world.api("coordinator").post("/api/v1/cases", data=body,
                                                           headers=headers), 400)
    assert "nested" in problem["detail"] and "64" in problem["detail"]
    assert snapshot(world.app) == before


def test_deeply_nested_form_body_with_an_idempotency_key_is_not_a_500(world: World) -> None:
    publish_example(world)
    case = book(world)
    page = login(world, "technician")
    resp = page.post(f"/cases/{case['id']}/forms/installation_report", data=DEEP,
                     headers={"Idempotency-Key": "deep-form",
                              "Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code < 500  # a form body is not JSON: it is hashed, never parsed as such


@pytest.mark.parametrize(("text", "what"), [("\ud800", "surrogate"), ("a\x00b", "NUL")])
def test_lone_surrogates_and_nul_in_json_are_refused(world: World, text: str, what: str) -> None:
    publish_example(world)
    case = book(world)
    before = snapshot(world.app)
    api = world.api("coordinator")
    for resp in (api.post("/api/v1/cases", json=booking(world, title=text)),
                 api.patch(f"/api/v1/cases/{case['id']}", json={"title": text}),
                 api.post("/api/v1/cases", json=booking(world, **{f"x{text}": 1}))):
        problem = assert_problem(resp, 422)
        assert what in problem["detail"], problem
        assert problem["errors"][0]["path"].startswith("/")
    assert snapshot(world.app) == before


@pytest.mark.parametrize("url", [
    "/api/v1/cases?q=a%00b", "/api/v1/exceptions?code=%00", "/api/v1/exports?connector=%00",
    "/api/v1/users/a%00b@alpha.test", "/api/v1/attachments/a%00b",
])
def test_nul_in_query_or_path_is_400(world: World, url: str) -> None:
    problem = assert_problem(world.api("coordinator").get(url), 400)
    assert "NUL" in problem["detail"]


def test_nul_in_the_login_form_is_400_and_logs_nobody_in(world: World) -> None:
    client = world.app.test_client()
    before = snapshot(world.app)
    resp = client.post("/login", data={"email": "admin@alpha.test\x00", "password": "x\x00"})
    assert resp.status_code == 400 and "NUL" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert snapshot(world.app) == before


def test_nul_in_a_page_form_is_400_and_stores_nothing(world: World) -> None:
    publish_example(world)
    page = login(world, "coordinator")
    before = snapshot(world.app)
    resp = page.post("/cases/new", data={"case_type": "installation", "title": "Pump\x00",
                                         "customer_name": "Lena"})
    assert resp.status_code == 400 and "NUL" in resp.get_data(as_text=True)
    assert snapshot(world.app) == before


@pytest.mark.parametrize("query", [
    "older_than_hours=99999999999999", "older_than_hours=" + HUGE, "older_than_hours=-1",
    "case_id=" + BEYOND_INT64[1], "limit=" + HUGE,
])
def test_numeric_query_parameters_are_bounded(world: World, query: str) -> None:
    problem = assert_problem(world.api("coordinator").get(f"/api/v1/exceptions?{query}"), 422)
    assert problem["errors"][0]["path"] == "/" + query.split("=")[0]


@pytest.mark.parametrize("path", ["/api/v1/exports", "/api/v1/approvals", "/api/v1/cases"])
def test_too_large_ids_in_queries_and_cursors_are_422(world: World, path: str) -> None:
    from workorders.platform.api.inputs import encode_cursor

    api = world.api("coordinator")
    for number in TOO_LARGE_IDS:
        assert_problem(api.get(f"{path}?cursor={encode_cursor(int(number))}"), 422)
        if path != "/api/v1/cases":
            assert_problem(api.get(f"{path}?case_id={number}"), 422)


@pytest.mark.parametrize("number", TOO_LARGE_IDS)
def test_too_large_numbers_in_json_bodies_are_422(world: World, number: str) -> None:
    publish_example(world)
    before = snapshot(world.app)
    resp = world.api("coordinator").post(
        "/api/v1/exports", data=b'{"connector": "fortnox", "case_ids": [' +
        number.encode() + b"]}", headers={"Content-Type": "application/json"})
    problem = assert_problem(resp, 422)
    assert problem["errors"][0]["path"] == "/case_ids/0"
    assert_problem(world.api("coordinator").post(
        "/api/v1/cases", data=b'{"title": ' + HUGE.encode() + b"}",
        headers={"Content-Type": "application/json"}), 400)
    assert snapshot(world.app) == before


def test_a_huge_if_match_is_412_not_a_crash(world: World) -> None:
    publish_example(world)
    case = book(world)
    resp = world.api("coordinator").patch(f"/api/v1/cases/{case['id']}", json={"title": "x"},
                                          headers={"If-Match": f'"{BEYOND_INT64[1]}"'})
    assert_problem(resp, 412)


def _bundle(change: tuple[str, str], as_json: bool) -> tuple[bytes, str]:
    from workorders.definitions.yaml_reader import read_yaml

    text = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text()
    if not as_json:
        assert change[0] in text
        return text.replace(change[0], change[1], 1).encode(), "application/yaml"
    body = json.dumps(read_yaml(text)[0])
    old, new = (f'"{s.replace(": ", chr(34) + ": ", 1)}' for s in change)
    assert old in body, old
    return body.replace(old, new, 1).encode(), "application/json"


@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
@pytest.mark.parametrize("change", [
    ("start: 1001", "start: " + HUGE),
    ("start: 1001", "start: " + BEYOND_INT64[1]),
    ("start: 1001", "start: 3000000000"),
    ("terms_days: 30", "terms_days: 1e999"),
    ("terms_days: 30", "terms_days: -" + HUGE),
], ids=["5000-digits", "beyond-int64", "beyond-int32", "1e999", "negative-5000-digits"])
def test_huge_numbers_in_a_bundle_are_422(world: World, change: tuple[str, str],
                                          as_json: bool) -> None:
    body, content_type = _bundle(change, as_json)
    before = snapshot(world.app)
    resp = world.api("admin").post("/api/v1/definitions", data=body,
                                   headers={"Content-Type": content_type})
    problem = assert_problem(resp, 422)
    field = change[0].split(":")[0]
    assert [e for e in problem["errors"] if e["path"].endswith("/" + field)], problem["errors"]
    assert snapshot(world.app) == before


@pytest.mark.parametrize(("source", "content_type"), [
    (b'{"format": "workorders/v1", "name": "Nul\\u0000"}', "application/json"),
    (b'{"format": "workorders/v1", "name": "Half \\ud800"}', "application/json"),
    (b'{"format": "workorders/v1", "na\\u0000me": "x"}', "application/json"),
    (b'format: workorders/v1\nname: "Nul\\0"\n', "application/yaml"),  # libyaml refuses \ud800
])
def test_nul_and_lone_surrogates_in_a_bundle_are_422(world: World, source: bytes,
                                                     content_type: str) -> None:
    before = snapshot(world.app)
    resp = world.api("admin").post("/api/v1/definitions", data=source,
                                   headers={"Content-Type": content_type})
    problem = assert_problem(resp, 422)
    assert any("NUL" in e["message"] or "surrogate" in e["message"]
               for e in problem["errors"]), problem["errors"]
    assert snapshot(world.app) == before


@pytest.mark.parametrize(("case", "status"), [
    *((number, 404) for number in (*TOO_LARGE_IDS, HUGE)), ("²", 200), ("x", 200)])
def test_a_too_large_case_filter_on_the_exceptions_page_is_404(world: World, case: str,
                                                               status: int) -> None:
    """Like any case that does not exist; a filter that is no number is ignored."""
    resp = login(world, "coordinator").get(f"/exceptions?case={case}&status=all")
    assert resp.status_code == status
