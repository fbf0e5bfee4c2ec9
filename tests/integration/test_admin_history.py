"""The admin history: one sentence per admin event (the same on the page and in the
API), only this tenant's admin events (never a case's), newest first, by kind, in
pages, for admins only."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.integration.test_capture_pages import login
from tests.support.cases import ROOT
from tests.support.web import signed_in_home
from tests.support.world import World


def _event(action: str, subject_type: str, subject_id: int, *, before: Any = None,
           after: Any = None, comment: str | None = None) -> Any:
    """An AuditEvent as a service would write it, not stored: the wording reads
    only what is on the row."""
    from workorders.platform.models import AuditEvent

    return AuditEvent(tenant_id=1, subject_type=subject_type, subject_id=subject_id, seq=1,
                      actor="admin@x.test", action=action, before=before, after=after,
                      comment=comment, prev_hash="", hash="")


WORDINGS = [
    ("definition.draft_created", "definition", 5, None, {"based_on": "version 3"}, None,
     "Started draft version 5 from version 3"),
    ("definition.draft_created", "definition", 6, None,
     {"based_on": "example nordvarme-heatpumps.yaml"}, None,
     "Started draft version 6 from example nordvarme-heatpumps.yaml"),
    ("definition.draft_created", "definition", 7, None, {"based_on": ""}, None,
     "Started draft version 7"),
    ("definition.draft_saved", "definition", 5, None, {"revision": 3, "valid": True}, None,
     "Saved draft version 5"),
    ("definition.draft_saved", "definition", 5, None, {"revision": 4, "valid": False}, None,
     "Saved draft version 5 (it does not validate yet)"),
    ("definition.published", "definition", 4, None, {"comment": "Added heat pump brand field"},
     None, "Published version 4 (“Added heat pump brand field”)"),
    ("definition.published", "definition", 4, None, None, "Added heat pump brand field",
     "Published version 4 (“Added heat pump brand field”)"),
    ("definition.published", "definition", 1, None, None, None, "Published version 1"),
    ("definition.retired", "definition", 2, None, None, None, "Retired version 2"),
    ("definition.retired", "definition", 3, {"status": "published"},
     {"status": "retired", "replaced_by": 4}, None,
     "Retired version 3 when version 4 was published"),
    ("definition.draft_created", "definition", 8, None,
     {"based_on": "version 7", "valid": False}, None,
     "Started draft version 8 from version 7 (it does not validate yet)"),
    ("definition.migration_started", "definition", 4, None,
     {"cases": 12, "not_migratable": 2, "task": 7}, "Waiting for parts",
     "Started moving 12 open cases to version 4, 2 could not move (“Waiting for parts”)"),
    ("definition.migration_started", "definition", 4, None, {"cases": 1, "not_migratable": 0},
     None, "Started moving 1 open case to version 4"),
    ("member.added", "member", 9, None, {"email": "ola@x.test", "roles": ["coordinator"]}, None,
     "Added ola@x.test as coordinator"),
    ("member.invited", "member", 9, None, {"email": "ola@x.test", "roles": ["technician"]}, None,
     "Invited ola@x.test as technician"),
    ("member.roles_changed", "member", 9, {"email": "ola@x.test", "roles": ["technician"]},
     {"email": "ola@x.test", "roles": ["technician", "coordinator"]}, None,
     "Changed roles of ola@x.test: technician → technician, coordinator"),
    ("member.invited", "member", 9, None, {"email": "ola@x.test", "has_password": False}, None,
     "Invited ola@x.test"),
    ("member.removed", "member", 9, {"email": "ola@x.test", "roles": ["viewer"]}, None, None,
     "Removed ola@x.test"),
    ("member.removed", "member", 9, {"email": "ola@x.test", "roles": ["viewer"]},
     {"tokens_revoked": 2}, None, "Removed ola@x.test and revoked their 2 API tokens"),
    ("member.removed", "member", 9, {"email": "ola@x.test", "roles": ["viewer"]},
     {"tokens_revoked": ["wo_ab12cd3"]}, None, "Removed ola@x.test and revoked their 1 API token"),
    ("member.removed", "member", 9, {"email": "ola@x.test", "roles": ["viewer"]},
     {"tokens_revoked": []}, None, "Removed ola@x.test"),
    ("token.created", "token", 3, None,
     {"label": "ERP sync", "prefix": "wo_ab12", "email": "erp@x.test"}, None,
     "Created API token “ERP sync” for erp@x.test (wo_ab12…)"),
    ("token.created", "token", 3, None,
     {"label": "ERP sync", "prefix": "wo_ab12", "owner": "erp@x.test"}, None,
     "Created API token “ERP sync” for erp@x.test (wo_ab12…)"),
    ("token.revoked", "token", 3, {"label": "ERP sync", "prefix": "wo_ab12"}, None, None,
     "Revoked API token “ERP sync” (wo_ab12…)"),
    ("token.revoked", "token", 3, {"label": "", "prefix": "wo_ab12", "owner": "erp@x.test"},
     None, "leaked in a log", "Revoked API token 3 for erp@x.test (wo_ab12…) (“leaked in a log”)"),
    ("secret.set", "tenant_secrets", 1, None, {"name": "ERP_HMAC"}, None, "Set secret ERP_HMAC"),
    ("secret.replaced", "tenant_secrets", 1, None, {"name": "ERP_HMAC"}, None,
     "Replaced secret ERP_HMAC"),
    ("secret.deleted", "tenant_secrets", 1, {"name": "ERP_HMAC"}, None, None,
     "Deleted secret ERP_HMAC"),
    ("job.retried", "job", 17, {"status": "dead"}, {"kind": "email.welcome"}, None,
     "Retried job 17 (welcome email)"),
    ("job.retried", "job", 18, None, {"kind": "notify"}, None, "Retried job 18 (notification)"),
]


@pytest.mark.parametrize(("action", "subject_type", "subject_id", "before", "after", "comment",
                          "words"), WORDINGS, ids=[f"{w[0]}-{i}" for i, w in enumerate(WORDINGS)])
def test_every_admin_event_reads_as_one_sentence(action: str, subject_type: str,
                                                 subject_id: int, before: Any, after: Any,
                                                 comment: str | None, words: str) -> None:
    from workorders.platform.services.admin_history import describe_admin_event

    event = _event(action, subject_type, subject_id, before=before, after=after,
                   comment=comment)
    assert describe_admin_event(event) == words


def test_every_agreed_admin_action_has_its_own_words() -> None:
    """The names fixed for all slices of the admin workspace are each worded here,
    not by the fallback."""
    from workorders.platform.services.admin_history import WORDS

    agreed = {"definition.draft_created", "definition.draft_saved", "definition.published",
              "definition.retired", "member.added", "member.invited", "member.roles_changed",
              "member.removed", "token.created", "token.revoked", "secret.set",
              "secret.replaced", "secret.deleted", "job.retried"}
    assert agreed <= set(WORDS)
    assert agreed <= {w[0] for w in WORDINGS}


@pytest.mark.parametrize(("action", "subject_type", "subject_id", "after", "words"), [
    ("member.suspended", "member", 4, {"email": "ola@x.test", "deep": {"x": [1, 2]}},
     "Member suspended: ola@x.test"),
    ("definition.archived", "definition", 3, {"numbers": [1, 2]}, "Definition archived: version 3"),
    ("token.rotated", "token", 8, None, "Token rotated: API token 8"),
    ("secret.rotated", "tenant_secrets", 1, {"name": "ERP_HMAC"},
     "Secret rotated: secret ERP_HMAC"),
    ("weird-thing_happened", "job", 5, {"kind": "notify"},
     "Weird thing happened: job 5 (notification)"),
])
def test_unknown_actions_still_read_as_a_sentence(action: str, subject_type: str,
                                                  subject_id: int, after: Any,
                                                  words: str) -> None:
    from workorders.platform.services.admin_history import describe_admin_event

    text = describe_admin_event(_event(action, subject_type, subject_id, after=after))
    assert text == words
    assert "{" not in text and "[" not in text


def test_missing_facts_never_break_the_wording() -> None:
    from workorders.platform.services.admin_history import WORDS, describe_admin_event

    for action in WORDS:
        subject_type = {"definition": "definition", "member": "member", "token": "token",
                        "secret": "tenant_secrets", "job": "job",
                        "notifications": "customer_messages"}[action.split(".")[0]]
        text = describe_admin_event(_event(action, subject_type, 3))
        assert text and "None" not in text and "{" not in text, (action, text)


# ---- stored events: the page and the API ------------------------------------------------

_SETUP_LAST_ID: dict[int, int] = {}


def _last_event_id(app: Flask) -> int:
    from sqlalchemy import func, select

    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    with app.app_context():
        return int(db.session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0)


def _new(world: World, items: list[dict[str, Any]]) -> list[str]:
    """The words of the events written after the world was set up."""
    return [i["words"] for i in items if i["id"] > _SETUP_LAST_ID[id(world)]]


def record(app: Flask, tenant_id: int, action: str, subject_type: str, subject_id: int, *,
           actor: str = "admin@alpha.test", before: Any = None, after: Any = None,
           comment: str | None = None) -> None:
    """Write an event the way every admin service does (in its own transaction,
    after the tenant lock), so the test needs none of the other slices' services."""
    from workorders.platform.database import lock_tenant
    from workorders.platform.services.audit import record_event
    from workorders.platform.services.unit_of_work import transaction

    with app.app_context(), transaction() as session:
        lock_tenant(tenant_id)
        record_event(session, tenant_id=tenant_id, subject_type=subject_type,
                     subject_id=subject_id, actor=actor, action=action, before=before,
                     after=after, comment=comment)


def _mixed_history(world: World) -> None:
    """Admin and case events in both tenants, after the world's own setup events
    (its members and tokens), which :func:`_new` leaves out."""
    a, b = world.a.tenant_id, world.b.tenant_id
    _SETUP_LAST_ID[id(world)] = _last_event_id(world.app)
    record(world.app, a, "definition.published", "definition", 2,
           after={"comment": "Brand field"}, comment="Brand field")
    record(world.app, a, "member.invited", "member", 40,
           after={"email": "ola@alpha.test", "roles": ["technician"]})
    record(world.app, a, "export:retried", "case", 1, after={"export": 1, "number": "F-1"})
    record(world.app, a, "secret.set", "tenant_secrets", a, after={"name": "ALPHA_KEY"})
    record(world.app, b, "secret.set", "tenant_secrets", b, actor="admin@bravo.test",
           after={"name": "BRAVO_KEY"})
    record(world.app, b, "member.removed", "member", 41, actor="admin@bravo.test",
           before={"email": "kari@bravo.test", "roles": ["viewer"]})


def test_the_api_lists_this_tenants_admin_events_newest_first_without_case_events(
        world: World) -> None:
    _mixed_history(world)
    resp = world.api("admin").get("/api/v1/admin/history")
    assert resp.status_code == 200
    items = resp.json["items"]
    assert _new(world, items) == [
        "Set secret ALPHA_KEY", "Invited ola@alpha.test as technician",
        "Published version 2 (“Brand field”)"]
    assert resp.json["next_cursor"] is None
    assert [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)
    assert {i["subject_type"] for i in items} <= {"definition", "member", "token",
                                                   "tenant_secrets", "job"}
    first = items[0]
    assert (first["actor"], first["action"], first["subject_type"]) == (
        "admin@alpha.test", "secret.set", "tenant_secrets")
    assert set(first) == {"id", "at", "actor", "action", "subject_type", "subject_id", "words"}
    other = world.api("admin", tenant="b").get("/api/v1/admin/history").json["items"]
    assert _new(world, other) == ["Removed kari@bravo.test", "Set secret BRAVO_KEY"]
    assert not {i["id"] for i in items} & {i["id"] for i in other}


def test_the_page_shows_who_what_and_when_in_the_tenants_zone(world: World) -> None:
    """Times read in the tenant's zone and locale (no published bundle yet: the
    defaults, Europe/Stockholm and en-GB), whatever zone the viewer's browser is in:
    one clock for everyone in the tenant."""
    from workorders.definitions.formatting import Formatting
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    _mixed_history(world)
    admin = login(world, "admin")
    admin.set_cookie("wo_tz", "America/New_York")
    page = admin.get("/admin/history").get_data(as_text=True)
    assert "Set secret ALPHA_KEY" in page
    assert "Invited ola@alpha.test as technician" in page
    assert "Published version 2 (“Brand field”)" in page
    assert "Admin of Alpha Heat AB" in page  # who: the tenant's name for the person
    assert "BRAVO_KEY" not in page and "kari@bravo.test" not in page
    assert "export" not in page.split("<main")[1].lower()  # no case event
    with world.app.app_context():
        at = db.session.query(AuditEvent).filter_by(action="secret.set",
                                                    tenant_id=world.a.tenant_id).one().at
    assert Formatting("en-GB", "Europe/Stockholm").datetime(at, with_zone=True) in page
    local = at.astimezone(ZoneInfo("Europe/Stockholm"))
    assert f"{local:%H:%M} {local.tzname()}" in page


def test_real_admin_actions_appear_in_the_history(world: World) -> None:
    """An existing admin service (secrets) writes the events the history reads."""
    first_value, second_value = "first-secret-value-8c1e", "second-secret-value-4d7a"
    from workorders.platform.services.tenant_secrets import delete_secret, set_secret

    with world.app.app_context():
        set_secret(world.a.tenant_id, "ERP_HMAC", first_value, "admin@alpha.test")
        set_secret(world.a.tenant_id, "ERP_HMAC", second_value, "admin@alpha.test")
        delete_secret(world.a.tenant_id, "ERP_HMAC", "admin@alpha.test")
    words = [i["words"] for i in
             world.api("admin").get("/api/v1/admin/history?kind=secrets").json["items"]]
    assert words == ["Deleted secret ERP_HMAC", "Replaced secret ERP_HMAC", "Set secret ERP_HMAC"]
    page = login(world, "admin").get("/admin/history").get_data(as_text=True)
    # values no token prefix or id on the page can contain by chance ("v2" once did)
    main = page.split("<main")[1]
    assert first_value not in main and second_value not in main


def test_definition_services_write_events_the_history_words(world: World) -> None:
    """Drafting and publishing through the definitions services, twice: the second
    publish retires the first version, and the history says so in order."""
    from workorders.platform.services.definitions import create_draft, publish_version

    source = (ROOT / "definitions" / "bytewise-it.yaml").read_bytes()
    with world.app.app_context():
        for comment in ("First go", "Second go"):
            draft = create_draft(world.a.tenant_id, source, "admin@alpha.test")
            publish_version(world.a.tenant_id, draft.number, "admin@alpha.test",
                            comment=comment)
    items = world.api("admin").get("/api/v1/admin/history?kind=definitions").json["items"]
    assert [i["words"] for i in items] == [
        "Published version 2 (“Second go”)",
        "Retired version 1 when version 2 was published",
        "Started draft version 2",
        "Published version 1 (“First go”)",
        "Started draft version 1"]


def test_people_and_token_services_write_events_the_history_words(world: World) -> None:
    """Through the people and token API: each change reads as its sentence."""
    api = world.api("admin")
    _SETUP_LAST_ID[id(world)] = _last_event_id(world.app)
    assert api.post("/api/v1/users", json={"email": "ola@alpha.test",
                                           "roles": ["technician"]}).status_code == 201
    assert api.patch("/api/v1/users/ola@alpha.test",
                     json={"roles": ["technician", "coordinator"]}).status_code == 200
    token = api.post("/api/v1/tokens", json={"label": "ERP sync", "user": "ola@alpha.test"})
    assert token.status_code == 201, token.json
    assert api.open(f"/api/v1/tokens/{token.json['id']}", "DELETE").status_code in (200, 204)
    second = api.post("/api/v1/tokens", json={"label": "Spare", "user": "ola@alpha.test"})
    assert api.open("/api/v1/users/ola@alpha.test", "DELETE").status_code == 204
    prefix, spare = token.json["prefix"], second.json["prefix"]
    items = api.get("/api/v1/admin/history").json["items"]
    assert _new(world, items) == [
        "Removed ola@alpha.test and revoked their 1 API token",
        f"Revoked API token “Spare” for ola@alpha.test ({spare}…) "
        "(“its owner was removed from the workspace”)",
        f"Created API token “Spare” for ola@alpha.test ({spare}…)",
        f"Revoked API token “ERP sync” for ola@alpha.test ({prefix}…)",
        f"Created API token “ERP sync” for ola@alpha.test ({prefix}…)",
        "Changed roles of ola@alpha.test: technician → coordinator, technician",
        "Added ola@alpha.test as technician"]


def test_history_filters_by_kind_on_the_page_and_in_the_api(world: World) -> None:
    _mixed_history(world)
    api = world.api("admin")
    people = api.get("/api/v1/admin/history?kind=people").json["items"]
    assert _new(world, people) == ["Invited ola@alpha.test as technician"]
    assert {i["subject_type"] for i in people} == {"member"}
    assert api.get("/api/v1/admin/history?kind=jobs").json["items"] == []
    page = login(world, "admin").get("/admin/history?kind=definitions").get_data(as_text=True)
    assert '<a href="/admin/definitions/2">Published version 2 (“Brand field”)</a>' in page
    assert "ALPHA_KEY" not in page
    assert 'data-testid="kind-definitions" aria-current="page"' in page


def test_bad_filters_get_a_clear_answer(world: World) -> None:
    _mixed_history(world)
    api = world.api("admin")
    bad = api.get("/api/v1/admin/history?kind=cases")
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "/kind"
    assert api.get("/api/v1/admin/history?cursor=nonsense").status_code == 422
    assert api.get("/api/v1/admin/history?limit=0").status_code == 422
    admin = login(world, "admin")
    for before in ("99999999999999999999999", "-3", "0", "abc"):
        odd = admin.get(f"/admin/history?before={before}")
        assert odd.status_code == 200, before
        assert "That is not a page of the history" in odd.get_data(as_text=True)
        assert "Set secret ALPHA_KEY" in odd.get_data(as_text=True)
    page = admin.get("/admin/history?kind=cases")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "There is no kind of change called “cases”; showing every kind." in text
    assert "Set secret ALPHA_KEY" in text


def test_history_pages_through_every_event_once(world: World) -> None:
    for n in range(1, 56):
        record(world.app, world.a.tenant_id, "secret.set", "tenant_secrets", world.a.tenant_id,
               after={"name": f"KEY_{n:02d}"})
    api = world.api("admin")
    seen: list[str] = []
    url = "/api/v1/admin/history?kind=secrets&limit=20"
    while url:
        body = api.get(url).json
        assert len(body["items"]) <= 20
        seen += [i["words"] for i in body["items"]]
        url = f"/api/v1/admin/history?kind=secrets&limit=20&cursor={body['next_cursor']}" \
            if body["next_cursor"] else ""
    assert seen == [f"Set secret KEY_{n:02d}" for n in range(55, 0, -1)]

    admin = login(world, "admin")
    first = admin.get("/admin/history?kind=secrets").get_data(as_text=True)
    assert "Set secret KEY_55" in first and "Set secret KEY_06" in first
    assert "Set secret KEY_05" not in first
    older = first.split('data-testid="history-older"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = admin.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert "Set secret KEY_05" in second and "Set secret KEY_01" in second
    assert "Set secret KEY_06" not in second and 'data-testid="history-older"' not in second
    assert 'data-testid="kind-secrets" aria-current="page"' in second  # the filter is kept


@pytest.mark.parametrize("role", ["coordinator", "technician", "viewer"])
def test_only_admins_read_the_history(world: World, role: str) -> None:
    _mixed_history(world)
    assert world.api(role).get("/api/v1/admin/history").status_code == 403
    client = login(world, role)
    assert client.get("/admin/history").status_code == 403
    assert 'data-testid="nav-admin"' not in signed_in_home(client).get_data(as_text=True)
