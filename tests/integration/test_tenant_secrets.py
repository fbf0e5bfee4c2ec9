"""Per-tenant secrets: a bundle signs only with its own tenant's secrets, never
with another tenant's or the server's environment; values go in through the API
or the CLI, are sealed at rest, audited by name, and never come back out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.integration.test_api_errors import assert_problem
from tests.support.exports import (
    connectors_yaml,
    drain,
    exports_of,
    invoice,
    publish_variant,
    ready_case,
    running_receiver,
)
from tests.support.processes import command_env, run_workorders
from tests.support.state import snapshot
from tests.support.world import World

NAME = "EXPORT_TEST_SECRET"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "outbound_allow": "127.0.0.1"}


def _put(world: World, name: str, body: Any, tenant: str = "a", role: str = "admin") -> Any:
    return world.api(role, tenant).open(f"/api/v1/secrets/{name}", "PUT", json=body)


def test_a_bundle_naming_another_tenants_secret_never_signs_with_it(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.connectors.transports import verify_signature

    monkeypatch.setenv(NAME, "the-servers-environment-value")
    assert _put(world, NAME, {"value": "bravos-own-secret"}, tenant="b").status_code == 201
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("fortnox",)), secret=None)
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        [export] = exports_of(world)
        assert receiver.posts == []  # nothing unsigned, nothing signed with b's or env's
        assert export["status"] == "dead"
        detail = world.api("coordinator").get(f"/api/v1/exports/{export['id']}").json
        assert detail["attempts"][-1]["error"].startswith(
            f"the tenant has no secret named '{NAME}' (the fortnox connector signs with it)")
        assert _put(world, NAME, {"value": "alphas-own-secret"}).status_code == 201
        retried = world.api("coordinator").post(f"/api/v1/exports/{export['id']}/retry")
        assert retried.status_code == 202, retried.get_data(as_text=True)
        drain(world.app)
        [post] = receiver.posts
    signature = post["headers"]["X-Workorders-Signature"]
    assert verify_signature("alphas-own-secret", post["body"], signature)
    assert not verify_signature("bravos-own-secret", post["body"], signature)
    assert not verify_signature("the-servers-environment-value", post["body"], signature)


def test_admins_set_replace_list_and_delete_without_ever_seeing_a_value(world: World) -> None:
    from sqlalchemy import select

    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent, TenantSecret

    created = _put(world, "ERP_WEBHOOK", {"value": "first-value"})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.json["name"] == "ERP_WEBHOOK" and created.json["set"] is True
    assert created.json["updated_by"] == world.a.emails["admin"]
    replaced = _put(world, "ERP_WEBHOOK", {"value": "second-value"})
    assert replaced.status_code == 200
    listed = world.api("admin").get("/api/v1/secrets")
    assert [i["name"] for i in listed.json["items"]] == ["ERP_WEBHOOK"]
    assert world.api("admin", "b").get("/api/v1/secrets").json["items"] == []
    with world.app.app_context():
        [row] = db.session.execute(select(TenantSecret)).scalars()
        events = db.session.execute(select(AuditEvent).where(
            AuditEvent.subject_type == "tenant_secrets")).scalars().all()
        stored = row.ciphertext + json.dumps([[e.action, e.before, e.after] for e in events])
    assert [e.action for e in events] == ["secret.set", "secret.replaced"]
    for text in (created.get_data(as_text=True), replaced.get_data(as_text=True),
                 listed.get_data(as_text=True), stored):
        assert "first-value" not in text and "second-value" not in text
    assert world.api("admin").open("/api/v1/secrets/ERP_WEBHOOK", "DELETE").status_code == 204
    assert world.api("admin").get("/api/v1/secrets").json["items"] == []
    assert_problem(world.api("admin").open("/api/v1/secrets/ERP_WEBHOOK", "DELETE"), 404)


def test_bad_input_is_refused_clearly_and_changes_nothing(world: World) -> None:
    assert _put(world, "KEPT", {"value": "kept-value"}).status_code == 201
    before = snapshot(world.app)
    for role in ("coordinator", "technician", "viewer"):
        assert_problem(_put(world, "KEPT", {"value": "x"}, role=role), 403)
        assert_problem(world.api(role).get("/api/v1/secrets"), 403)
    bad_name = assert_problem(_put(world, "hunter2-pass", {"value": "v"}), 422)
    assert "is not a secret name (capital letters, digits and '_'" in bad_name["detail"]
    pasted = assert_problem(_put(world, "KEPT", {"value": "line one\nline two"}), 422)
    assert "line break" in pasted["detail"] and "line one" not in json.dumps(pasted)
    assert "empty" in assert_problem(_put(world, "KEPT", {"value": ""}), 422)["detail"]
    wrong_type = assert_problem(_put(world, "KEPT", {"value": 123456789}), 422)
    assert "123456789" not in json.dumps(wrong_type)
    assert_problem(_put(world, "KEPT", {"value": "v", "note": "x"}), 422)
    assert_problem(_put(world, "KEPT", ["not", "an", "object"]), 400)
    assert_problem(world.api("admin").open("/api/v1/secrets/NEVER_SET", "DELETE"), 404)
    assert_problem(world.api("admin", "b").open("/api/v1/secrets/KEPT", "DELETE"), 404)
    assert snapshot(world.app) == before


def test_validation_warns_about_secrets_the_tenant_has_not_set(world: World) -> None:
    from tests.support.cases import ROOT

    source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
    names = _secret_names_in(source)
    assert names, "the example bundle signs with tenant secrets"

    def warned() -> set[str]:
        resp = world.api("admin").post("/api/v1/definitions/validate", data=source,
                                       headers={"Content-Type": "application/yaml"})
        assert resp.json["valid"] is True, resp.json
        return {n for n in names for w in resp.json["warnings"]
                if f"the tenant has no secret named '{n}'" in w["message"]}

    assert warned() == names
    for name in names:
        assert _put(world, name, {"value": f"value-of-{name}"}).status_code == 201
    assert warned() == set()


def test_the_listing_shows_what_the_published_bundle_signs_with_even_when_unset(
        world: World) -> None:
    with running_receiver() as receiver:
        publish_variant(world, connectors_yaml(receiver.url, only=("fortnox",)), secret=None)
    items = {i["name"]: i for i in world.api("admin").get("/api/v1/secrets").json["items"]}
    assert items[NAME] == {"name": NAME, "set": False, "created_at": None, "created_by": None,
                           "updated_at": None, "updated_by": None,
                           "used_by": ["connector fortnox"]}


def test_the_cli_reads_the_value_from_stdin_and_never_prints_it(
        app: Flask, clean_database: str, world: World) -> None:
    instance: Path = app.extensions["workorders.settings"].instance_dir
    env = command_env(clean_database, instance)
    done = run_workorders(["secrets", "set", "--tenant", "alpha", NAME], env,
                          stdin="cli-value-123\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"set secret {NAME} for alpha"
    listed = run_workorders(["secrets", "list", "--tenant", "alpha"], env)
    assert listed.returncode == 0 and listed.stdout.startswith(f"{NAME}\t")
    assert "cli-value-123" not in listed.stdout + done.stdout + done.stderr
    with app.app_context():
        from workorders.platform.services.tenant_secrets import open_secret

        assert open_secret(world.a.tenant_id, NAME, "the test") == "cli-value-123"
    refused = run_workorders(["secrets", "set", "--tenant", "alpha", "bad name"], env,
                             stdin="v\n")
    assert refused.returncode == 1 and "is not a secret name" in refused.stderr
    gone = run_workorders(["secrets", "delete", "--tenant", "alpha", NAME], env)
    assert gone.returncode == 0, gone.stderr
    again = run_workorders(["secrets", "delete", "--tenant", "alpha", NAME], env)
    assert again.returncode == 1 and f"no secret named '{NAME}'" in again.stderr


def _secret_names_in(source: str) -> set[str]:
    from workorders.definitions import load_bundle
    from workorders.definitions.secret_names import secret_uses

    bundle = load_bundle(source).bundle
    assert bundle is not None
    return set(secret_uses(bundle))


def test_another_tenant_setting_the_same_name_sets_only_its_own(world: World) -> None:
    from workorders.platform.services.tenant_secrets import open_secret

    assert _put(world, "SHARED_NAME", {"value": "alpha-value"}).status_code == 201
    assert _put(world, "SHARED_NAME", {"value": "bravo-value"}, tenant="b").status_code == 201
    assert world.api("admin", "b").open("/api/v1/secrets/SHARED_NAME", "DELETE").status_code \
        == 204
    with world.app.app_context():
        assert open_secret(world.a.tenant_id, "SHARED_NAME", "the test") == "alpha-value"
    [item] = world.api("admin").get("/api/v1/secrets").json["items"]
    assert item["updated_by"] == world.a.emails["admin"]


def _leak_alert(world: World) -> None:
    """A failed leak test: the example bundle's rule posts to its ops_channel webhook."""
    from tests.support.capture import started_case

    case = started_case(world)
    resp = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions", json={
        "form": "commissioning_protocol",
        "data": {"flow_temperature": "35", "leak_test_passed": False,
                 "leak_test_notes": "Flare nut leaking", "commissioning_date": "2026-11-21"}})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    drain(world.app)


def test_a_webhook_signs_only_with_its_own_tenants_secret(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.cases import ROOT
    from workorders.connectors.transports import verify_signature
    from workorders.platform.services.definitions import create_draft, publish_version

    monkeypatch.setenv("OPS_WEBHOOK", "the-servers-environment-value")
    assert _put(world, "OPS_WEBHOOK", {"value": "bravos-own-secret"}, tenant="b").status_code \
        == 201
    with running_receiver() as receiver:
        source = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
        source = source.replace("https://hooks.nordvarme.example/ops", f"{receiver.url}/ops")
        with world.app.app_context():
            draft = create_draft(world.a.tenant_id, source.encode(), world.a.emails["admin"])
            publish_version(world.a.tenant_id, draft.number, world.a.emails["admin"])
        _leak_alert(world)
        assert receiver.posts == []  # not unsigned, not with b's secret, not with env's
        jobs = world.api("admin").get("/api/v1/jobs?status=dead").json["items"]
        assert [j["kind"] for j in jobs] == ["notification.deliver"]
        assert "the tenant has no secret named 'OPS_WEBHOOK' (the ops_channel webhook signs " \
               "with it)" in jobs[0]["last_error"]
        assert _put(world, "OPS_WEBHOOK", {"value": "alphas-own-secret"}).status_code == 201
        _leak_alert(world)
        [post] = receiver.posts
    signature = post["headers"]["X-Workorders-Signature"]
    assert verify_signature("alphas-own-secret", post["body"], signature)
    assert not verify_signature("bravos-own-secret", post["body"], signature)
    assert not verify_signature("the-servers-environment-value", post["body"], signature)


def test_secrets_stay_manageable_when_the_published_version_no_longer_validates(
        world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import DefinitionVersion
    from workorders.platform.models.types import utcnow

    with world.app.app_context():
        db.session.add(DefinitionVersion(
            tenant_id=world.a.tenant_id, number=1, status="published",
            source_text="format: workorders/v0\n", source_format="yaml", normalized={},
            content_hash="0" * 64, name="stored before a stricter validator",
            warnings=[], author="t", published_at=utcnow(), published_by="t"))
        db.session.commit()
    assert _put(world, "STILL_WORKS", {"value": "v"}).status_code == 201
    listed = world.api("admin").get("/api/v1/secrets")
    assert listed.status_code == 200
    assert [(i["name"], i["used_by"]) for i in listed.json["items"]] == [("STILL_WORKS", [])]
