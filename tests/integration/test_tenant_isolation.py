"""Every ``/api/v1`` route called with another tenant's ids answers 404 and
changes nothing. The matrix is generated from the live URL map: a new route
with a new kind of id fails here until this file knows how to find one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.support.state import snapshot
from tests.support.world import World

ROOT = Path(__file__).resolve().parents[2]


def _first_job_id(world: World) -> int:
    from workorders.platform.extensions import db
    from workorders.platform.models import OutboxJob

    with world.app.app_context():
        return int(db.session.execute(select(OutboxJob.id).where(
            OutboxJob.tenant_id == world.a.tenant_id).limit(1)).scalar_one())


def _definition_versions(world: World) -> int:
    """Tenant A gets versions 1 and 2 (tenant B has none): version numbers are
    per tenant, so B asking for 1 or 2 must find nothing."""
    from workorders.platform.services.definitions import create_draft

    source = (ROOT / "definitions" / "bytewise-it.yaml").read_bytes()
    with world.app.app_context():
        create_draft(world.a.tenant_id, source, "admin@alpha.test")
        return create_draft(world.a.tenant_id, source, "admin@alpha.test").number


_ids: dict[str, Any] = {}


def _case_id(world: World) -> int:
    from tests.support.capture import jpeg_bytes, upload
    from tests.support.cases import book, publish_example

    publish_example(world)
    _ids["case"] = int(book(world)["id"])
    _ids["photo"] = upload(world, _ids["case"], jpeg_bytes(), role="coordinator").json["id"]
    return _ids["case"]


def _import_id(world: World) -> int:
    """Runs after ``_case_id`` (dict order), which published a definition."""
    import io

    data = {"file": (io.BytesIO(b"case_type;title;customer_name\ninstallation;T;C\n"), "a.csv")}
    resp = world.api("coordinator").post("/api/v1/cases/import", data=data,
                                         content_type="multipart/form-data")
    return int(resp.json["id"])


def _attachment_id(world: World) -> str:
    from tests.support.capture import jpeg_bytes, upload

    return str(upload(world, _ids["case"], jpeg_bytes(), role="coordinator").json["id"])


def _submission_id(world: World) -> int:
    from tests.support.capture import report

    resp = world.api("coordinator").post(
        f"/api/v1/cases/{_ids['case']}/submissions",
        json={"form": "installation_report", "data": report(_ids["photo"]), "draft": True})
    return int(resp.json["submission"]["id"])


def _exception_id(world: World) -> int:
    """Runs after ``_approval_id``: its report has no signature, so a rule raised one."""
    items = world.api("coordinator").get("/api/v1/exceptions").json["items"]
    return int(items[0]["id"])


def _approval_id(world: World) -> int:
    from tests.support.capture import jpeg_bytes, report, started_case, upload

    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    resp = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions", json={
        "form": "installation_report", "data": report(photo, hours="20")})
    return int(resp.json["evaluation"]["approvals_requested"][0]["id"])


def _export_id(world: World) -> int:
    """Runs after ``_case_id`` (the example bundle is published): a released case
    exported to its Fortnox connector (the delivery itself fails here: no receiver)."""
    from tests.support.exports import ready_case

    case = ready_case(world)
    resp = world.api("coordinator").post("/api/v1/exports", json={
        "connector": "fortnox", "case_ids": [case["id"]]})
    assert resp.status_code == 202, resp.json
    return int(resp.json["items"][0]["id"])


def _notification_id(world: World) -> int:
    """Runs after ``_case_id``: scheduling a case tells its technician (the message log)."""
    from tests.support.cases import book

    case = book(world)
    world.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                  json={"transition": "schedule"})
    items = world.api("coordinator").get("/api/v1/notifications").json["items"]
    return int(items[0]["id"])


def _secret_name(world: World) -> str:
    from workorders.platform.services.tenant_secrets import set_secret

    with world.app.app_context():
        set_secret(world.a.tenant_id, "ALPHA_ONLY", "alpha-value", world.a.emails["admin"])
    return "ALPHA_ONLY"


def _task_id(world: World) -> int:
    resp = world.api("admin").post("/api/v1/definitions/1/simulate", json={"background": True})
    return int(resp.json["task"]["id"])


def _token_id(world: World) -> int:
    from workorders.platform.services.api_tokens import tokens_of

    with world.app.app_context():
        return tokens_of(world.a.tenant_id)[0].id


#: URL parameter name -> an id that belongs to tenant "alpha" (world.a)
ID_OF_TENANT_A: dict[str, Callable[[World], Any]] = {
    "job_id": _first_job_id,
    "email": lambda w: w.a.emails["viewer"],
    "n": _definition_versions,
    "a": lambda w: 1,
    "b": lambda w: 2,
    "case_id": _case_id,
    "import_id": _import_id,
    "attachment_id": _attachment_id,
    "submission_id": _submission_id,
    "approval_id": _approval_id,
    "exception_id": _exception_id,
    "export_id": _export_id,
    "task_id": _task_id,
    "name": _secret_name,
    # helper 6: a form and a connector of version n (bytewise-it, see _definition_versions)
    "form_id": lambda w: "support_visit",
    "connector_id": lambda w: "erpnext",
    "template_id": lambda w: "job_waiting",  # built in: every version has it
    "token_id": _token_id,
    "notification_id": _notification_id,
}

#: writes whose parameter names the caller's own namespace, not an existing row:
#: ``PUT /secrets/{name}`` by another tenant sets that tenant's own secret
#: (test_tenant_secrets checks it never touches tenant A's)
OWN_NAMESPACE = {("api.put_tenant_secret", "PUT")}

#: request bodies for writes, by endpoint; a body valid in shape makes sure the
#: answer is about the foreign id, not about the body
BODIES: dict[str, Any] = {
    "api.update_case": {"title": "Taken over"},
    "api.transition_case": {"transition": "cancel", "comment": "taking over"},
    "api.submit": {"form": "installation_report", "data": {}, "draft": True},
    "api.correct": {"data": {}, "reason": "taking over"},
    "api.assign_exception": {"user": None},
    "api.resolve_exception": {"note": "not mine"},
    "api.override_exception": {"reason": "not mine"},
    "api.decide_approval": {"decision": "approve"},
    "api.update_user": {"roles": ["admin"]},
}


def _api_routes(app: Flask) -> list[tuple[str, str, str, list[str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or not rule.arguments:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) in OWN_NAMESPACE:
                continue
            routes.append((rule.rule, rule.endpoint, method, sorted(rule.arguments)))
    return routes


def _url(rule: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        rule = rule.replace(f"<{name}>", str(value)).replace(f"<int:{name}>", str(value))
        rule = rule.replace(f"<path:{name}>", str(value))
    return rule


def test_every_id_parameter_is_known_to_the_matrix(world: World) -> None:
    unknown = {arg for *_, args in _api_routes(world.app) for arg in args} - set(ID_OF_TENANT_A)
    assert not unknown, f"teach test_tenant_isolation how to find tenant A's {unknown}"


def test_foreign_ids_answer_404_on_every_route_and_change_nothing(world: World) -> None:
    routes = _api_routes(world.app)
    assert routes, "the matrix found no routes with ids"
    values = {name: source(world) for name, source in ID_OF_TENANT_A.items()}
    foreign = world.api("admin", tenant="b")
    own = world.api("admin", tenant="a")
    before = snapshot(world.app)
    for rule, endpoint, method, args in routes:
        url = _url(rule, {a: values[a] for a in args})
        kwargs: dict[str, Any] = {}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = BODIES.get(endpoint, {})
        resp = foreign.open(url, method=method, **kwargs)
        assert resp.status_code == 404, f"{method} {url} gave {resp.status_code} to another tenant"
        assert resp.mimetype == "application/problem+json"
        if method == "GET":
            assert own.open(url, method="GET").status_code == 200, f"{url} is not a real id"
    assert snapshot(world.app) == before
