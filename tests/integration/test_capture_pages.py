"""The technician's form page, the page uploads and the case page's Reports,
through the Flask test client on SQLite and PostgreSQL. The page stores through
the same services as the API, so the API is used to read what was stored."""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient

from tests.support.capture import jpeg_bytes, png_bytes, report, started_case
from tests.support.cases import ROOT, book, publish_example
from tests.support.web import login, login_cast
from tests.support.world import World, make_tenant

EVIL = "<script>alert('x')</script> & <b>bold</b>"


def page_upload(client: FlaskClient, case_id: int, data: bytes, name: str = "photo.jpg",
                **headers: str) -> Any:
    return client.post(f"/cases/{case_id}/attachments", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


def pairs(data: dict[str, Any], action: str, **extra: str) -> list[tuple[str, str]]:
    from workorders.definitions import load_bundle
    from workorders.forms import encode_formdata

    bundle = load_bundle((ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_bytes()).bundle
    assert bundle is not None
    form = bundle.form("installation_report")
    assert form is not None
    out = [(k, v) for k, vs in encode_formdata(form, data).items() for v in vs]
    return [*out, ("_action", action), ("csrf_token", "ignored-in-tests"), *extra.items()]


def post_form(client: FlaskClient, case_id: int, body: list[tuple[str, str]],
              form_id: str = "installation_report", **headers: str) -> Any:
    from werkzeug.datastructures import MultiDict

    return client.post(f"/cases/{case_id}/forms/{form_id}", data=MultiDict(body),
                       headers=headers)


def submissions(world: World, case_id: int) -> list[dict[str, Any]]:
    return list(world.api("admin").get(f"/api/v1/cases/{case_id}/submissions").json["items"])


def text(resp: Any) -> str:
    return str(resp.get_data(as_text=True))


def around(html: str, path: str, width: int = 2500) -> str:
    """The HTML of the block whose data-path is ``path`` (its errors are inside)."""
    start = html.index(f'data-path="{path}"')
    return html[start:start + width]


# ---- rendering -------------------------------------------------------------------

def test_every_example_form_renders_for_a_phone(world_with_bundle: World) -> None:
    world = world_with_bundle
    extra = make_tenant(world.app, "charlie", "Charlie Volt AS")
    third = World(app=world.app, a=extra, b=world.b)
    publish_example(third, "voltfix-electric.yaml")
    fourth = World(app=world.app, a=make_tenant(world.app, "delta", "Delta IT AB"), b=world.b)
    publish_example(fourth, "bytewise-it.yaml")
    cases = [(world, world.a, "installation", ["installation_report", "commissioning_protocol"]),
             (world, world.a, "service", ["service_visit"]),
             (third, extra, "callout", ["callout_report", "safety_check"]),
             (fourth, fourth.a, "onsite_support", ["support_visit", "customer_sign_off"]),
             (fourth, fourth.a, "rollout", ["rollout_log"])]
    seen = 0
    for w, cast, case_type, forms in cases:
        case = book(w, case_type=case_type, fields={})
        client = login_cast(world, cast, "technician")
        for form_id in forms:
            resp = client.get(f"/cases/{case['id']}/forms/{form_id}")
            html = text(resp)
            assert resp.status_code == 200, (form_id, html[:500])
            assert 'id="capture-form"' in html and 'data-testid="submit-final"' in html
            assert 'js/capture.js' in html and "signature_pad.umd.min.js" in html
            assert " style=" not in html and "<script>" not in html  # the CSP allows neither
            seen += 1
    assert seen == 8


def test_the_form_page_has_the_right_controls(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    html = text(login(world, "technician").get(f"/cases/{case['id']}/forms/installation_report"))
    for section in ("Time", "Material", "Work", "Sign-off"):
        assert f">{section}</h2>" in html
    assert 'name="time-0-hours"' in html and 'inputmode="decimal"' in html
    assert 'name="time-0-labor"' in html and '<option value="install"' in html
    assert 'name="materials-0-article"' in html and 'list="wo-articles"' in html
    # the tenant's money (Nordvärme is sv-SE), not a bare '89.00'
    assert '<option value="CU15" label="Copper pipe 15 mm · MTR · 89,00\u00a0kr"' in html
    assert 'data-price="89.00"' in html  # plain, for the line total in capture.js
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert 'data-testid="signature-canvas-customer_signature"' in html
    assert 'name="customer_signature-name"' in html
    assert "data-visible-if=" in html and "data-required-if=" in html
    assert 'name="installed_heat_pump" value="true"' in html  # yes/no buttons
    assert 'template data-row-template="time"' in html and "time-__index__-hours" in html
    # a time entry's price is never typed; a free-text material line's price is
    assert "time-0-unit_price" not in html and 'name="materials-0-unit_price"' in html


# ---- drafts, finals, errors ---------------------------------------------------------

def test_draft_then_final_through_the_page_store_what_the_api_would(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    photo = page_upload(client, case["id"], jpeg_bytes())
    signature = page_upload(client, case["id"], png_bytes(), "signature.png")
    assert photo.status_code == 201 and signature.status_code == 201
    photo_id, sig_id = photo.json["id"], signature.json["id"]

    # an untouched second row (one blank input) is no line at all
    started = pairs({"time": [{"date": "2026-11-26", "hours": "2"}]}, "draft")
    draft = post_form(client, case["id"], [*started, ("time-1-note", "")])
    assert draft.status_code == 302 and draft.headers["Location"].endswith(
        f"/cases/{case['id']}/forms/installation_report")
    stored = submissions(world, case["id"])
    assert [(s["kind"], s["revision"]) for s in stored] == [("draft", 1)]
    assert {w["path"] for w in stored[0]["warnings"]} >= {"/data/time/0/labor", "/data/photos"}
    page = text(client.get(f"/cases/{case['id']}/forms/installation_report"))
    assert "Draft saved (revision 1)" in page
    assert "Still missing: This field is required." in around(page, "/time/0/labor", 1200)
    assert 'value="2"' in around(page, "/time/0/hours", 600)  # pre-filled from the draft

    data = report(photo_id, sig_id)
    data["time"][0]["hours"] = "6.5"
    final = post_form(client, case["id"], pairs(data, "final"))
    # the technician goes on to the report the case still waits for
    assert final.status_code == 302 and final.headers["Location"].endswith(
        f"/cases/{case['id']}/forms/commissioning_protocol")
    stored = submissions(world, case["id"])
    assert [(s["kind"], s["revision"]) for s in stored] == [("draft", 1), ("final", 2)]
    assert stored[1]["data"] == data

    # the same data through the API on another case is stored identically
    other = started_case(world)
    api = world.api("technician")
    photo2 = api.post(f"/api/v1/cases/{other['id']}/attachments",
                      data={"file": (io.BytesIO(jpeg_bytes()), "p.jpg")},
                      content_type="multipart/form-data").json["id"]
    sig2 = api.post(f"/api/v1/cases/{other['id']}/attachments",
                    data={"file": (io.BytesIO(png_bytes()), "s.png")},
                    content_type="multipart/form-data").json["id"]
    via_api = report(photo2, sig2)
    via_api["time"][0]["hours"] = "6.5"
    resp = api.post(f"/api/v1/cases/{other['id']}/submissions",
                    json={"form": "installation_report", "data": via_api})
    assert resp.status_code == 201
    assert {**resp.json["submission"]["data"], "photos": [photo_id],
            "customer_signature": data["customer_signature"]} == stored[1]["data"]


def test_fetch_with_an_idempotency_key_gets_json_and_stores_once(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    photo_id = page_upload(client, case["id"], jpeg_bytes()).json["id"]
    body = pairs(report(photo_id), "final")
    answers = [post_form(client, case["id"], body, Accept="application/json",
                         **{"Idempotency-Key": "attempt-1"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json["ok"] is True and answers[0].json["kind"] == "final"
    assert {a.json["submission_id"] for a in answers} == {answers[0].json["submission_id"]}
    assert answers[1].headers.get("Idempotent-Replayed") == "true"
    assert answers[0].json["redirect"].endswith(
        f"/cases/{case['id']}/forms/commissioning_protocol")
    assert len(submissions(world, case["id"])) == 1


def test_errors_are_shown_beside_their_fields_and_nothing_is_stored(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    data = {"time": [{"date": "2026-11-26", "hours": "abc", "labor": "install"}],
            "heat_pump_serial": "x", "installed_heat_pump": True}
    resp = post_form(client, case["id"], [*pairs(data, "final"), ("colour", "red")])
    html = text(resp)
    assert resp.status_code == 422
    assert "Nothing was saved" in html
    assert "Use a number like 2.5" in around(html, "/time/0/hours", 900)
    assert "This field is required." in around(html, "/work_description", 1500)
    assert "Not in the expected format." in around(html, "/heat_pump_serial", 1500)
    assert "Unknown field: this form has no such field." in html
    assert 'value="abc"' in around(html, "/time/0/hours", 900)  # what was typed is kept
    assert submissions(world, case["id"]) == []

    as_json = post_form(client, case["id"], pairs(data, "final"), Accept="application/json")
    assert as_json.status_code == 422 and as_json.json["ok"] is False
    assert {"path": "/time/0/hours",
            "message": "Use a number like 2.5 (digits, a point before decimals)."} \
        in as_json.json["errors"]
    assert submissions(world, case["id"]) == []


def test_an_attachment_of_another_case_is_refused_beside_the_photos(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case, other = started_case(world), started_case(world)
    client = login(world, "technician")
    foreign = page_upload(client, other["id"], jpeg_bytes()).json["id"]
    resp = post_form(client, case["id"], pairs(report(foreign), "final"))
    assert resp.status_code == 422
    assert "is not an attachment of this case" in around(text(resp), "/photos/0", 1200)
    assert submissions(world, case["id"]) == []


def test_a_correction_needs_a_reason_and_shows_as_a_revision_with_its_diff(
        world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    photo_id = page_upload(client, case["id"], jpeg_bytes()).json["id"]
    assert post_form(client, case["id"], pairs(report(photo_id), "final")).status_code == 302
    page = text(client.get(f"/cases/{case['id']}/forms/installation_report"))
    assert 'data-testid="start-correction"' in page and "Submitted as revision 1" in page
    assert "<fieldset class=\"capture-body\" disabled>" in page

    corrected = report(photo_id, hours="7")
    missing = post_form(client, case["id"], pairs(corrected, "correct", _reason="  "))
    assert missing.status_code == 422
    assert "Say why the report is corrected" in around(text(missing), "/_reason", 800)
    assert len(submissions(world, case["id"])) == 1

    done = post_form(client, case["id"], pairs(corrected, "correct",
                                               _reason="Forgot the last hour"))
    assert done.status_code == 302
    stored = submissions(world, case["id"])
    assert [(s["kind"], s["revision"], s["reason"]) for s in stored] == [
        ("final", 1, None), ("correction", 2, "Forgot the last hour")]

    html = text(login(world, "coordinator").get(f"/cases/{case['id']}"))
    reports = html[html.index('data-testid="reports"'):]
    assert "Revision 2 · Correction" in reports and "Reason: Forgot the last hour" in reports
    diff = reports[reports.index('data-testid="diff-2"'):]
    assert re.search(r"Time, row 1: Hours</span> <del>6</del> → <ins>7</ins>", diff)
    # the report's lines read the tenant's way (sv-SE), not as stored ISO text
    assert "<li>tors 26 nov. 2026 · 7 h · " in reports and "2026-11-26 ·" not in reports
    assert f"/attachments/{photo_id}/thumbnail" in reports
    assert 'data-testid="correct-installation_report"' in reports


def test_a_viewer_sees_the_form_but_cannot_send_it(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    viewer = login(world, "viewer")
    html = text(viewer.get(f"/cases/{case['id']}/forms/installation_report"))
    assert 'data-testid="submit-final"' not in html and "Only the assigned technician" in html
    resp = post_form(viewer, case["id"], pairs(report("x"), "draft"))
    assert resp.status_code == 403
    assert submissions(world, case["id"]) == []


def test_unknown_forms_and_other_tenants_cases_are_not_found(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    assert client.get(f"/cases/{case['id']}/forms/service_visit").status_code == 404
    assert client.get(f"/cases/{case['id']}/forms/nonsense").status_code == 404
    other = login(world, "coordinator", tenant="b")
    assert other.get(f"/cases/{case['id']}/forms/installation_report").status_code == 404
    assert post_form(other, case["id"], pairs(report("x"), "final")).status_code == 404
    assert submissions(world, case["id"]) == []


# ---- attachments ----------------------------------------------------------------

def test_attachments_are_served_to_the_same_tenant_only(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    photo = page_upload(client, case["id"], jpeg_bytes(64, 32))
    assert photo.status_code == 201 and photo.json["content_type"] == "image/jpeg"
    pid = photo.json["id"]
    original = client.get(f"/attachments/{pid}")
    assert original.status_code == 200 and original.data == jpeg_bytes(64, 32)
    thumb = client.get(f"/attachments/{pid}/thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"

    stranger = login(world, "admin", tenant="b")
    assert stranger.get(f"/attachments/{pid}").status_code == 404
    assert stranger.get(f"/attachments/{pid}/thumbnail").status_code == 404
    assert page_upload(stranger, case["id"], jpeg_bytes()).status_code == 404
    assert world.app.test_client().get(f"/attachments/{pid}").status_code == 302  # sign in


def test_uploads_that_are_too_large_or_not_photos_are_refused_clearly(
        world_with_bundle: World) -> None:
    from workorders.platform.api.capture import UPLOAD_LIMIT

    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    wrong = page_upload(client, case["id"], b"MZ\x90\x00 not a photo", "photo.jpg")
    assert wrong.status_code == 415 and "JPEG" in wrong.json["error"]
    big = b"\xff\xd8\xff" + b"\0" * (UPLOAD_LIMIT + 10)
    for headers in ({}, {"Idempotency-Key": "big-1"}):
        too_big = page_upload(client, case["id"], big, **headers)
        assert too_big.status_code == 413 and "larger than 20 MB" in too_big.json["error"]
    again = page_upload(client, case["id"], jpeg_bytes(), **{"Idempotency-Key": "same"})
    twice = page_upload(client, case["id"], jpeg_bytes(), **{"Idempotency-Key": "same"})
    assert again.json["id"] == twice.json["id"]
    assert page_upload(login(world, "viewer"), case["id"], jpeg_bytes()).status_code == 403


# ---- escaping ---------------------------------------------------------------------

def test_html_typed_into_text_fields_is_shown_as_text(world_with_bundle: World) -> None:
    world = world_with_bundle
    case = started_case(world)
    client = login(world, "technician")
    photo_id = page_upload(client, case["id"], jpeg_bytes())
    data = report(photo_id.json["id"])
    data["work_description"] = EVIL
    data["time"][0]["note"] = EVIL
    assert post_form(client, case["id"], pairs(data, "final")).status_code == 302
    assert submissions(world, case["id"])[0]["data"]["work_description"] == EVIL
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    for url in (f"/cases/{case['id']}", f"/cases/{case['id']}/forms/installation_report"):
        html = text(client.get(url))
        assert EVIL not in html and "<b>bold</b>" not in html
        assert escaped in html
