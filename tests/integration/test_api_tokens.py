"""API tokens: an admin creates one for a member (its text shown once, by the API or
on the /admin/tokens page, never stored, not even for an idempotent replay), sees
every token with its last use, and revokes one; the CLI shares the service; bad
input changes nothing; other tenants' tokens are not found; all of it audited."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.integration.test_capture_pages import login
from tests.support.state import snapshot
from tests.support.world import World


def _token_events(app: Flask, tenant_id: int) -> list[tuple[str, str, Any, Any, Any]]:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    with app.app_context():
        rows = db.session.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == tenant_id, AuditEvent.subject_type == "token")
            .order_by(AuditEvent.id)).scalars().all()
        result = [(e.action, e.actor, e.before, e.after, e.comment) for e in rows]
        db.session.remove()
    return result


def _bearer(world: World, token: str, path: str = "/api/v1/me") -> Any:
    return world.app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})


def _text(resp: Any) -> str:
    return str(resp.get_data(as_text=True))


def test_create_use_list_and_revoke_through_the_api(world: World) -> None:
    admin = world.a.emails["admin"]
    tech = world.a.emails["technician"]
    resp = world.api().post("/api/v1/tokens", json={"label": "booking system", "user": tech})
    assert resp.status_code == 201, resp.json
    body = resp.json
    plain = body["token"]
    assert plain.startswith("wo_") and body["prefix"] == plain[:10]
    assert (body["label"], body["user"], body["active"], body["last_used_at"]) == (
        "booking system", tech, True, None)
    me = _bearer(world, plain)
    assert me.status_code == 200 and me.json["email"] == tech and me.json["roles"] == [
        "technician"]
    listed = world.api().get("/api/v1/tokens").json["items"]
    assert listed[0]["id"] == body["id"] and listed[0]["last_used_at"] is not None
    assert plain not in str(listed) and all("token" not in item for item in listed)
    assert world.api().open(f"/api/v1/tokens/{body['id']}", "DELETE").status_code == 204
    assert _bearer(world, plain).status_code == 401
    assert world.api().open(f"/api/v1/tokens/{body['id']}", "DELETE").status_code == 204
    mine = world.api().post("/api/v1/tokens", json={"label": "my script"})
    assert mine.status_code == 201 and mine.json["user"] == admin
    events = [e for e in _token_events(world.app, world.a.tenant_id) if e[1] == admin]
    assert events == [
        ("token.created", admin, None,
         {"label": "booking system", "prefix": body["prefix"], "owner": tech}, None),
        ("token.revoked", admin,
         {"label": "booking system", "prefix": body["prefix"], "owner": tech}, None, None),
        ("token.created", admin, None,
         {"label": "my script", "prefix": mine.json["prefix"], "owner": admin}, None),
    ]  # the second revoke changed nothing and recorded nothing


def test_an_idempotent_retry_gets_the_same_token_without_its_text(world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.models import ApiToken, IdempotencyRecord

    headers = {"Idempotency-Key": "token-1"}
    first = world.api().post("/api/v1/tokens", json={"label": "erp"}, headers=headers)
    again = world.api().post("/api/v1/tokens", json={"label": "erp"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json["id"] == first.json["id"] and again.json["prefix"] == first.json["prefix"]
    assert again.json["token"] is None and "revoke this token" in again.json["detail"]
    other = world.api().post("/api/v1/tokens", json={"label": "other"}, headers=headers)
    assert other.status_code == 409 and first.json["token"] not in _text(other)
    with world.app.app_context():
        assert len(db.session.execute(select(ApiToken).where(
            ApiToken.label == "erp")).scalars().all()) == 1
        stored = " ".join(r.response_body or "" for r in db.session.execute(
            select(IdempotencyRecord)).scalars())
        db.session.remove()
    assert first.json["token"] not in stored


def test_bad_input_says_what_is_wrong_and_creates_nothing(world: World) -> None:
    admin = login(world, "admin")
    before = snapshot(world.app)
    cases = [
        ({}, 422, "Label — This field is required."),
        ({"label": "   "}, 422, "give the token a label that says what it is for"),
        ({"label": "x" * 101}, 422, "the label is longer than 100 characters"),
        ({"label": "a\tb"}, 422, "the label contains a line break or another control"),
        ({"label": "ok", "user": world.b.emails["admin"]}, 422,
         "'admin@bravo.test' is not a member of this workspace"),
        ({"label": "ok", "user": "nobody"}, 422, "'nobody' is not a member of this workspace"),
        ({"label": "ok", "extra": 1}, 422, "the request has invalid fields"),
    ]
    for body, status, message in cases:
        resp = world.api().post("/api/v1/tokens", json=body)
        assert resp.status_code == status, (body, resp.json)
        assert message in resp.json["detail"] + str(resp.json.get("errors")), (body, resp.json)
    page = admin.post("/admin/tokens", data={"label": "x" * 101,
                                             "user": world.a.emails["viewer"]})
    assert page.status_code == 422
    assert "No token was created: the label is longer than 100 characters." in _text(page)
    foreign = admin.post("/admin/tokens", data={"label": "ok", "user": world.b.emails["admin"]})
    assert "No token was created: &#39;admin@bravo.test&#39; is not a member" in _text(foreign)
    assert snapshot(world.app) == before


def test_another_tenants_token_is_not_found_and_keeps_working(world: World) -> None:
    from workorders.platform.services.api_tokens import tokens_of

    with world.app.app_context():
        bravo_id = tokens_of(world.b.tenant_id)[0].id
    admin = login(world, "admin")
    before = snapshot(world.app)
    assert world.api().open(f"/api/v1/tokens/{bravo_id}", "DELETE").status_code == 404
    assert world.api().open("/api/v1/tokens/999999", "DELETE").status_code == 404
    assert admin.post(f"/admin/tokens/{bravo_id}/revoke").status_code == 404
    assert snapshot(world.app) == before
    assert all(t["user"].endswith("@alpha.test")
               for t in world.api().get("/api/v1/tokens").json["items"])
    assert world.api("admin", tenant="b").get("/api/v1/me").status_code == 200


def test_only_admins_manage_tokens(world: World) -> None:
    clients = {role: login(world, role) for role in ("coordinator", "technician", "viewer")}
    before = snapshot(world.app)
    for role, client in clients.items():
        api = world.api(role)
        assert api.get("/api/v1/tokens").status_code == 403
        assert api.post("/api/v1/tokens", json={"label": "mine"}).status_code == 403
        assert api.open("/api/v1/tokens/1", "DELETE").status_code == 403
        assert client.get("/admin/tokens").status_code == 403
        assert client.post("/admin/tokens", data={"label": "mine"}).status_code == 403
        assert client.post("/admin/tokens/1/revoke").status_code == 403
    assert snapshot(world.app) == before


def test_the_page_shows_a_new_token_once_then_lists_and_revokes_it(world: World) -> None:
    admin = login(world, "admin")
    page = _text(admin.get("/admin/tokens"))
    assert 'data-testid="token-form"' in page and "never" in page
    created = admin.post("/admin/tokens", data={"label": "Booking <b>system</b>",
                                                "user": world.a.emails["coordinator"]})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    html = _text(created)
    assert "Copy it now: it will not be shown again." in html
    assert "Booking &lt;b&gt;system&lt;/b&gt;" in html and "<b>system</b>" not in html
    plain = html.split('data-testid="token-text"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert _bearer(world, plain).json["email"] == world.a.emails["coordinator"]
    listing = _text(admin.get("/admin/tokens"))
    assert plain not in listing and plain[:10] in listing
    token_id = world.api().get("/api/v1/tokens").json["items"][0]["id"]
    assert f'data-testid="confirm-revoke-{token_id}"' in listing
    revoked = admin.post(f"/admin/tokens/{token_id}/revoke", follow_redirects=True)
    assert ("Token “Booking &lt;b&gt;system&lt;/b&gt;” (" + plain[:10] + "…) is revoked") in (
        _text(revoked))
    assert _bearer(world, plain).status_code == 401
    actions = [(e[0], e[1]) for e in _token_events(world.app, world.a.tenant_id)
               if e[1] == world.a.emails["admin"]]
    assert actions == [("token.created", "admin@alpha.test"),
                       ("token.revoked", "admin@alpha.test")]


def test_the_cli_shares_the_service_and_is_audited_as_the_operator(world: World) -> None:
    from workorders.platform.services.accounts import create_token, list_tokens, revoke_token

    with world.app.app_context():
        token, plain = create_token("alpha", world.a.emails["viewer"])
        assert token.label == "made on the command line"
        assert [t.id for t in list_tokens("alpha")] == sorted(t.id for t in list_tokens("alpha"))
        revoke_token("alpha", plain[:10])
    assert _bearer(world, plain).status_code == 401
    ops = [e for e in _token_events(world.app, world.a.tenant_id)
           if (e[3] or e[2])["label"] == "made on the command line"]
    assert [(e[0], e[1]) for e in ops] == [("token.created", "operator"),
                                           ("token.revoked", "operator")]
