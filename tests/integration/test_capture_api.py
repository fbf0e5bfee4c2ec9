"""Attachments, drafts, final submissions and corrections over the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_api_errors import assert_problem
from tests.support.capture import jpeg_bytes, png_bytes, report, started_case, upload
from tests.support.cases import publish_example
from tests.support.state import snapshot
from tests.support.world import World


@pytest.fixture
def job(world: World) -> tuple[World, dict[str, Any], str]:
    publish_example(world)
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    return world, case, photo


def submit(world: World, case_id: int, data: dict[str, Any], draft: bool = False,
           role: str = "technician", form: str = "installation_report", **kw: Any):  # type: ignore[no-untyped-def]
    return world.api(role).post(f"/api/v1/cases/{case_id}/submissions",
                                json={"form": form, "data": data, "draft": draft}, **kw)


def test_upload_sniffs_type_stores_by_hash_and_serves_only_this_tenant(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, _ = job
    resp = upload(world, case["id"], jpeg_bytes(), name="../../etc/passwd")
    assert resp.status_code == 201
    body = resp.json
    assert body["content_type"] == "image/jpeg" and len(body["sha256"]) == 64
    assert body["filename"] == "passwd" and body["thumbnail"] is True
    got = world.api("viewer").get(f"/api/v1/attachments/{body['id']}")
    assert got.status_code == 200 and got.data == jpeg_bytes()
    stored = world.app.extensions["workorders.settings"].files_dir / body["sha256"][:2]
    assert (stored / body["sha256"]).read_bytes() == jpeg_bytes()
    assert_problem(world.api("viewer", "b").get(f"/api/v1/attachments/{body['id']}"), 404)


def test_exif_orientation_is_respected(job: tuple[World, dict[str, Any], str]) -> None:
    world, case, _ = job
    body = upload(world, case["id"], jpeg_bytes(64, 32, orientation=6)).json
    assert (body["width"], body["height"]) == (32, 64)  # rotated upright
    thumb = world.api().get(f"/api/v1/attachments/{body['id']}/thumbnail")
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(thumb.data)).size[1] > Image.open(BytesIO(thumb.data)).size[0]


@pytest.mark.parametrize(("data", "status"), [
    (b"GIF89a" + b"\0" * 100, 415),
    (b"<script>alert(1)</script>", 415),
    (b"\xff\xd8\xff" + b"not really a jpeg", 415),
    (b"%PDF-1.7\n" + b"x" * (21 * 1024 * 1024), 413),
])
def test_bad_uploads_are_refused_and_store_nothing(job: tuple[World, dict[str, Any], str],
                                                   data: bytes, status: int) -> None:
    world, case, _ = job
    before = snapshot(world.app)
    assert_problem(upload(world, case["id"], data, name="photo.jpg"), status)
    assert snapshot(world.app) == before


def test_a_draft_accepts_gaps_and_says_what_is_missing(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, _photo = job
    resp = submit(world, case["id"], {"work_description": "Half done"}, draft=True)
    assert resp.status_code == 201, resp.json
    assert resp.json["submission"]["kind"] == "draft"
    missing = {w["path"] for w in resp.json["warnings"]}
    assert "/data/time" in missing and "/data/photos" in missing
    assert resp.json["evaluation"]["invoice"]["ready"] is False


def test_final_is_strict_then_only_corrections_change_it(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    before = snapshot(world.app)
    problem = assert_problem(submit(world, case["id"], {"work_description": "x"}), 422)
    assert {"/data/time", "/data/photos"} <= {e["path"] for e in problem["errors"]}
    assert snapshot(world.app) == before
    final = submit(world, case["id"], report(photo))
    assert final.status_code == 201, final.json
    sub = final.json["submission"]
    assert (sub["kind"], sub["revision"]) == ("final", 1)
    assert_problem(submit(world, case["id"], report(photo)), 409)
    signature = upload(world, case["id"], png_bytes(), name="sig.png").json["id"]
    fix = world.api("technician").post(f"/api/v1/submissions/{sub['id']}/corrections",
                                       json={"data": report(photo, signature),
                                             "reason": "Customer signed afterwards"})
    assert fix.status_code == 201, fix.json
    assert (fix.json["submission"]["kind"], fix.json["submission"]["revision"]) == (
        "correction", 2)
    revisions = world.api("viewer").get(f"/api/v1/cases/{case['id']}/submissions").json["items"]
    assert [(r["revision"], r["kind"]) for r in revisions] == [(1, "final"), (2, "correction")]
    assert "customer_signature" not in revisions[0]["data"]  # revision 1 stays as it was
    events = world.api().get(f"/api/v1/cases/{case['id']}/events").json["items"]
    [last] = [e for e in events if e["action"] == "correction:installation_report"]
    assert last["comment"] == "Customer signed afterwards"
    assert last["before"] == {"revision": 1, "customer_name": None, "customer_signature": None}
    assert last["after"]["customer_name"] == "Lena Berg"


def test_final_report_unlocks_the_complete_transition(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    before = world.api("technician").get(f"/api/v1/cases/{case['id']}").json
    blocked = {t["id"]: t["unmet"] for t in before["blocked_transitions"]}
    assert {u["name"] for u in blocked["complete"]} == {"installation_report",
                                                        "commissioning_protocol"}
    submit(world, case["id"], report(photo))
    after = world.api("technician").get(f"/api/v1/cases/{case['id']}").json
    blocked = {t["id"]: t["unmet"] for t in after["blocked_transitions"]}
    assert {u["name"] for u in blocked["complete"]} == {"commissioning_protocol"}


@pytest.mark.parametrize(("change", "path"), [
    ({"photos": ["no-such-attachment"]}, "/data/photos/0"),
    ({"time": [{"date": "2026-11-26", "hours": "lots", "labor": "install"}]}, "/data/time/0/hours"),
    ({"work_description": "x" * 4001}, "/data/work_description"),
    ({"heat_pump_serial": "lowercase!"}, "/data/heat_pump_serial"),
    ({"favourite_colour": "blue"}, "/data"),
])
def test_invalid_final_data_is_422_with_paths(job: tuple[World, dict[str, Any], str],
                                              change: dict[str, Any], path: str) -> None:
    world, case, photo = job
    before = snapshot(world.app)
    problem = assert_problem(submit(world, case["id"], {**report(photo), **change}), 422)
    assert any(e["path"].startswith(path) for e in problem["errors"]), problem["errors"]
    assert snapshot(world.app) == before


def test_attachments_of_another_case_are_refused(job: tuple[World, dict[str, Any], str]) -> None:
    world, case, _ = job
    other = started_case(world)
    foreign_photo = upload(world, other["id"], jpeg_bytes()).json["id"]
    problem = assert_problem(submit(world, case["id"], report(foreign_photo)), 422)
    assert problem["errors"][0]["path"] == "/data/photos/0"


def test_html_is_stored_as_text(job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    resp = submit(world, case["id"], {**report(photo), "work_description": evil})
    assert resp.json["submission"]["data"]["work_description"] == evil


def test_who_may_capture(job: tuple[World, dict[str, Any], str]) -> None:
    from workorders.platform.services.accounts import create_token, create_user

    world, case, photo = job
    assert_problem(submit(world, case["id"], report(photo), role="viewer"), 403)
    with world.app.app_context():
        create_user("alpha", "other@alpha.test", ["technician"])
        _, token = create_token("alpha", "other@alpha.test")
    other = world.api("technician")
    other.token = token
    resp = other.post(f"/api/v1/cases/{case['id']}/submissions",
                      json={"form": "installation_report", "data": report(photo)})
    assert_problem(resp, 403)
    assert submit(world, case["id"], report(photo), role="coordinator").status_code == 201


def test_corrections_need_a_reason_and_the_latest_revision(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    sub = submit(world, case["id"], report(photo)).json["submission"]
    url = f"/api/v1/submissions/{sub['id']}/corrections"
    before = snapshot(world.app)
    assert_problem(world.api("technician").post(url, json={"data": report(photo),
                                                           "reason": ""}), 422)
    assert_problem(world.api("technician").post(url, json={"data": report(photo)}), 422)
    assert snapshot(world.app) == before
    world.api("technician").post(url, json={"data": report(photo, hours="5"), "reason": "typo"})
    assert_problem(world.api("technician").post(url, json={"data": report(photo),
                                                           "reason": "again"}), 409)


def test_a_technician_cannot_correct_someone_elses_report(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    sub = submit(world, case["id"], report(photo), role="coordinator").json["submission"]
    before = snapshot(world.app)
    resp = world.api("technician").post(f"/api/v1/submissions/{sub['id']}/corrections",
                                        json={"data": report(photo), "reason": "mine now"})
    assert_problem(resp, 403)
    assert snapshot(world.app) == before


def test_a_retried_submission_with_its_key_is_stored_once(
        job: tuple[World, dict[str, Any], str]) -> None:
    world, case, photo = job
    key = {"Idempotency-Key": "phone-retry-1"}
    first = submit(world, case["id"], report(photo), headers=key)
    again = submit(world, case["id"], report(photo), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json["submission"]["id"] == again.json["submission"]["id"]
    items = world.api().get(f"/api/v1/cases/{case['id']}/submissions").json["items"]
    assert len(items) == 1


def test_a_large_photo_with_an_idempotency_key_is_accepted_once(
        job: tuple[World, dict[str, Any], str]) -> None:
    import io

    world, case, _ = job
    big = jpeg_bytes() + b"\0" * (3 * 1024 * 1024)  # over the 2 MiB JSON limit, under 20 MiB
    send = [world.api("technician").post(
        f"/api/v1/cases/{case['id']}/attachments", data={"file": (io.BytesIO(big), "p.jpg")},
        content_type="multipart/form-data", headers={"Idempotency-Key": "big-photo"})
        for _ in range(2)]
    assert [r.status_code for r in send] == [201, 201]
    assert send[0].json["id"] == send[1].json["id"] and send[0].json["size"] == len(big)


def test_viewers_cannot_attach_files(job: tuple[World, dict[str, Any], str]) -> None:
    world, case, _ = job
    before = snapshot(world.app)
    assert_problem(upload(world, case["id"], jpeg_bytes(), role="viewer"), 403)
    assert snapshot(world.app) == before
