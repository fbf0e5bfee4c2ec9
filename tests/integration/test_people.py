"""People: an admin invites, changes and removes members through the API and the
/admin/people page (one service, the same refusals), the tenant always keeps an
admin (even when two admins remove each other at once), a removed person's
sessions and tokens stop working here at once, and every change is audited."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.integration.test_capture_pages import login
from tests.support.state import snapshot
from tests.support.world import World


def _events(app: Flask, tenant_id: int, subject_type: str) -> list[tuple[str, str, Any, Any]]:
    from workorders.platform.extensions import db
    from workorders.platform.models import AuditEvent

    with app.app_context():
        rows = db.session.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == tenant_id, AuditEvent.subject_type == subject_type)
            .order_by(AuditEvent.id)).scalars().all()
        result = [(e.action, e.actor, e.before, e.after) for e in rows]
        db.session.remove()
    return result


def _roles(world: World, email: str) -> list[str]:
    return list(world.api().get(f"/api/v1/users/{email}").json["roles"])


def _text(resp: Any) -> str:
    return str(resp.get_data(as_text=True))


# ---- the API ---------------------------------------------------------------------

def test_an_admin_changes_roles_and_name_and_it_is_audited(world: World) -> None:
    tech = world.a.emails["technician"]
    resp = world.api().patch(f"/api/v1/users/{tech}",
                             json={"roles": ["technician", "coordinator"], "name": "Tove T"})
    assert resp.status_code == 200, resp.json
    assert resp.json == {"email": tech, "name": "Tove T",
                         "roles": ["coordinator", "technician"], "active": True}
    assert world.api("technician").get("/api/v1/me").json["roles"] == [
        "coordinator", "technician"]
    again = world.api().patch(f"/api/v1/users/{tech}", json={"name": "Tove T"})
    assert again.status_code == 200
    changed = [e for e in _events(world.app, world.a.tenant_id, "member")
               if e[0] == "member.roles_changed"]
    assert changed == [("member.roles_changed", world.a.emails["admin"],
                        {"email": tech, "name": "Technician of Alpha Heat AB",
                         "roles": ["technician"]},
                        {"email": tech, "name": "Tove T",
                         "roles": ["coordinator", "technician"]})]  # the no-op is not an event


def test_bad_changes_say_what_is_wrong_and_change_nothing(world: World) -> None:
    tech = world.a.emails["technician"]
    before = snapshot(world.app)
    cases = [
        ({"roles": ["boss"]}, "'boss' is not a role; roles are admin, coordinator, "
                              "technician, viewer"),
        ({"roles": []}, "choose at least one role"),
        ({"name": "x" * 201}, "the name is longer than 200 characters"),
        ({"name": "two\nlines"}, "the name contains a line break"),
        ({}, "send the member's new roles, their name, or both"),
    ]
    for body, message in cases:
        resp = world.api().patch(f"/api/v1/users/{tech}", json=body)
        assert resp.status_code == 422, (body, resp.json)
        assert message in resp.json["detail"], (body, resp.json)
    assert world.api().patch(f"/api/v1/users/{tech}", json={"roles": "admin"}).status_code == 422
    assert world.api().patch(f"/api/v1/users/{tech}", json={"email": "x@y.test"}).status_code == 422
    assert snapshot(world.app) == before


def test_adding_with_bad_input_is_refused_and_adding_is_audited(world: World) -> None:
    before = snapshot(world.app)
    for body, status in [({"email": "not-an-email", "roles": ["viewer"]}, 422),
                         ({"email": "new@alpha.test", "roles": ["boss"]}, 422),
                         ({"email": "new@alpha.test", "roles": []}, 422),
                         ({"email": "new@alpha.test", "roles": ["viewer"], "name": "x" * 201},
                          422)]:
        assert world.api().post("/api/v1/users", json=body).status_code == status, body
    assert snapshot(world.app) == before
    added = world.api().post("/api/v1/users", json={"email": "New@Alpha.test",
                                                    "roles": ["viewer"], "name": "Nea"})
    assert added.status_code == 201
    invited = world.api().post("/api/v1/users/new@alpha.test/invitation")
    assert invited.status_code == 202
    events = [e for e in _events(world.app, world.a.tenant_id, "member")
              if e[2] is None and e[3]["email"] == "new@alpha.test"]
    assert [(e[0], e[1]) for e in events] == [("member.added", world.a.emails["admin"]),
                                              ("member.invited", world.a.emails["admin"])]
    assert events[0][3] == {"email": "new@alpha.test", "name": "Nea", "roles": ["viewer"]}
    assert events[1][3] == {"email": "new@alpha.test", "has_password": False}


def test_the_last_admin_cannot_be_demoted_or_removed_not_even_by_themselves(
        world: World) -> None:
    admin = world.a.emails["admin"]
    before = snapshot(world.app)
    demote = world.api().patch(f"/api/v1/users/{admin}", json={"roles": ["coordinator"]})
    assert demote.status_code == 409
    assert demote.json["detail"] == ("you are the last admin of Alpha Heat AB, so you cannot "
                                     "take the admin role from yourself; make someone else "
                                     "an admin first")
    leave = world.api().open(f"/api/v1/users/{admin}", "DELETE")
    assert leave.status_code == 409
    assert "you are the last admin of Alpha Heat AB, so you cannot remove yourself" in (
        leave.json["detail"])
    assert snapshot(world.app) == before
    # with a second admin, the first may step down (and the second cannot then leave)
    coord = world.a.emails["coordinator"]
    assert world.api().patch(f"/api/v1/users/{coord}",
                             json={"roles": ["admin", "coordinator"]}).status_code == 200
    assert world.api().patch(f"/api/v1/users/{admin}",
                             json={"roles": ["viewer"]}).status_code == 200
    refused = world.api("coordinator").open(f"/api/v1/users/{coord}", "DELETE")
    assert refused.status_code == 409 and "you are the last admin" in refused.json["detail"]
    other = world.api("coordinator").patch(f"/api/v1/users/{coord}", json={"roles": ["viewer"]})
    assert other.status_code == 409
    assert _roles(world, coord) == ["admin", "coordinator"]


def test_removal_revokes_tokens_and_ends_the_persons_pages_here(world: World) -> None:
    tech = world.a.emails["technician"]
    tech_page = login(world, "technician")
    assert tech_page.get("/my").status_code == 200
    assert world.api("technician").get("/api/v1/me").status_code == 200
    resp = world.api().open(f"/api/v1/users/{tech}", "DELETE")
    assert resp.status_code == 204
    assert world.api().get(f"/api/v1/users/{tech}").status_code == 404
    assert tech not in [u["email"] for u in world.api().get("/api/v1/users").json["items"]]
    gone = tech_page.get("/")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    assert world.api("technician").get("/api/v1/me").status_code == 401
    tokens = [t for t in world.api().get("/api/v1/tokens").json["items"] if t["user"] == tech]
    assert len(tokens) == 1 and tokens[0]["revoked_at"] is not None
    removed = [e for e in _events(world.app, world.a.tenant_id, "member")
               if e[0] == "member.removed"]
    assert removed == [("member.removed", world.a.emails["admin"],
                        {"email": tech, "name": "Technician of Alpha Heat AB",
                         "roles": ["technician"]},
                        {"tokens_revoked": [tokens[0]["prefix"]]})]
    revoked = [e for e in _events(world.app, world.a.tenant_id, "token")
               if e[0] == "token.revoked"]
    assert len(revoked) == 1 and revoked[0][2]["owner"] == tech
    assert world.api().open(f"/api/v1/users/{tech}", "DELETE").status_code == 404


def test_another_tenants_member_is_not_found_and_untouched(world: World) -> None:
    bravo_tech = world.b.emails["technician"]
    admin = login(world, "admin")
    before = snapshot(world.app)
    assert world.api().patch(f"/api/v1/users/{bravo_tech}",
                             json={"roles": ["viewer"]}).status_code == 404
    assert world.api().open(f"/api/v1/users/{bravo_tech}", "DELETE").status_code == 404
    assert admin.post(f"/admin/people/{bravo_tech}/roles",
                      data={"roles": ["viewer"]}).status_code == 404
    assert admin.get(f"/admin/people/{bravo_tech}/remove").status_code == 404
    assert admin.post(f"/admin/people/{bravo_tech}/remove").status_code == 404
    assert admin.post(f"/admin/people/{bravo_tech}/invitation").status_code == 404
    assert snapshot(world.app) == before


def test_only_admins_manage_people(world: World) -> None:
    tech = world.a.emails["technician"]
    clients = {role: login(world, role) for role in ("coordinator", "technician", "viewer")}
    before = snapshot(world.app)
    for role, client in clients.items():
        api = world.api(role)
        assert api.patch(f"/api/v1/users/{tech}", json={"name": "X"}).status_code == 403
        assert api.open(f"/api/v1/users/{tech}", "DELETE").status_code == 403
        assert api.post("/api/v1/users", json={"email": "z@alpha.test",
                                               "roles": ["viewer"]}).status_code == 403
        assert client.get("/admin/people").status_code == 403
        assert client.post("/admin/people", data={"email": "z@alpha.test",
                                                  "roles": ["viewer"]}).status_code == 403
        assert client.post(f"/admin/people/{tech}/roles",
                           data={"roles": ["admin"]}).status_code == 403
        assert client.get(f"/admin/people/{tech}/remove").status_code == 403
        assert client.post(f"/admin/people/{tech}/remove").status_code == 403
    assert snapshot(world.app) == before


def test_two_admins_removing_each_other_at_once_leave_one(world: World) -> None:
    """Both checks run under the tenant's lock: one removal wins, the other sees it
    and is refused, whichever thread gets there first."""
    from workorders.errors import Conflict
    from workorders.platform.services.people import remove_member

    first, second = world.a.emails["admin"], world.a.emails["coordinator"]
    promoted = world.api().patch(f"/api/v1/users/{second}", json={"roles": ["admin"]})
    assert promoted.status_code == 200
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def remove(actor: str, target: str) -> None:
        with world.app.app_context():
            barrier.wait()
            try:
                remove_member(world.a.tenant_id, target, actor=actor)
                outcomes[actor] = "removed"
            except Conflict as exc:
                outcomes[actor] = exc.message

    threads = [threading.Thread(target=remove, args=(first, second)),
               threading.Thread(target=remove, args=(second, first))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    results = list(outcomes.values())
    assert len(results) == 2 and results.count("removed") == 1, outcomes
    refused = next(r for r in results if r != "removed")
    assert "is the last admin of Alpha Heat AB, so you cannot remove them" in refused
    admins = [u for u in world.app.test_client().get(
        "/api/v1/users", headers={"Authorization": f"Bearer {world.a.tokens['viewer']}"}
    ).json["items"] if "admin" in u["roles"]]
    assert len(admins) == 1


# ---- the page --------------------------------------------------------------------

def test_the_page_lists_members_with_their_state(world: World) -> None:
    from workorders.platform.services.accounts import add_member

    with world.app.app_context():
        add_member(world.a.tenant_id, "newbie@alpha.test", ["viewer"], actor="admin@alpha.test",
                   name="Newbie <b>N</b>")
    html = _text(login(world, "admin").get("/admin/people"))
    assert 'data-testid="member-newbie@alpha.test"' in html
    assert "Newbie &lt;b&gt;N&lt;/b&gt;" in html and "<b>N</b>" not in html
    status = html.split('data-testid="status-newbie@alpha.test"')[1][:300]
    assert "invited" in status and "has not set a password yet" in status
    tech_status = html.split('data-testid="status-technician@alpha.test"')[1][:200]
    assert "active" in tech_status
    assert 'data-testid="resend-newbie@alpha.test"' in html
    assert 'data-testid="resend-technician@alpha.test"' not in html
    assert 'type="password"' not in html  # an admin never types someone's password


def test_inviting_on_the_page_never_sets_a_password_and_sends_the_link(world: World) -> None:
    from workorders.platform.config import settings_of
    from workorders.platform.extensions import db
    from workorders.platform.models import User

    admin = login(world, "admin")
    resp = admin.post("/admin/people", data={
        "email": " Pia@Alpha.test ", "name": "Pia Persson", "roles": ["technician", "viewer"],
        "password": "an attempt to set one"}, follow_redirects=True)
    page = _text(resp)
    assert resp.status_code == 200
    assert "Pia Persson was added as technician, viewer." in page
    with world.app.app_context():
        user = db.session.execute(select(User).where(User.email == "pia@alpha.test")).scalar_one()
        assert user.password_hash is None
        mails = sorted(settings_of(world.app).mail_dir.glob("*.eml"))
        db.session.remove()
    to_pia = [m.read_text() for m in mails if "To: pia@alpha.test" in m.read_text()]
    assert len(to_pia) == 1 and "/set-password/" in to_pia[0]
    assert _roles(world, "pia@alpha.test") == ["technician", "viewer"]
    resent = admin.post("/admin/people/pia@alpha.test/invitation", follow_redirects=True)
    assert "A new invitation is on its way to pia@alpha.test" in _text(resent)
    actions = [e[0] for e in _events(world.app, world.a.tenant_id, "member")
               if (e[3] or {}).get("email") == "pia@alpha.test"]
    assert actions == ["member.added", "member.invited"]


def test_bad_invitations_on_the_page_keep_the_input_and_change_nothing(world: World) -> None:
    admin = login(world, "admin")
    before = snapshot(world.app)
    cases = [
        ({"email": "pia at alpha", "name": "Pia", "roles": ["viewer"]},
         "Nobody was invited: &#39;pia at alpha&#39; is not an email address."),
        ({"email": "pia@alpha.test", "name": "Pia", "roles": []},
         "Nobody was invited: choose at least one role"),
        ({"email": "pia@alpha.test", "name": "Pia", "roles": ["boss"]},
         "Nobody was invited: &#39;boss&#39; is not a role"),
        ({"email": "pia@alpha.test", "name": "P" * 201, "roles": ["viewer"]},
         "Nobody was invited: the name is longer than 200 characters."),
        ({"email": world.a.emails["viewer"], "name": "Again", "roles": ["viewer"]},
         "Nobody was invited: viewer@alpha.test is already a member of Alpha Heat AB."),
    ]
    for data, message in cases:
        resp = admin.post("/admin/people", data=data)
        assert resp.status_code == 422, data
        html = _text(resp)
        assert message in html, (data, html[html.find("flash"):][:400])
        if data["email"] == "pia@alpha.test" and data["name"] == "Pia":
            assert 'value="pia@alpha.test"' in html  # kept, not typed again
    assert snapshot(world.app) == before


def test_roles_change_on_the_page_and_the_last_admin_guard_speaks_there_too(
        world: World) -> None:
    admin = login(world, "admin")
    tech = world.a.emails["technician"]
    saved = admin.post(f"/admin/people/{tech}/roles",
                       data={"name": "Tove", "roles": ["technician", "coordinator"]},
                       follow_redirects=True)
    assert "Saved: Tove is now coordinator, technician." in _text(saved)
    assert _roles(world, tech) == ["coordinator", "technician"]
    before = snapshot(world.app)
    bad = admin.post(f"/admin/people/{tech}/roles", data={"name": "Tove", "roles": []})
    assert bad.status_code == 422
    assert f"Nothing was changed for {tech}: choose at least one role" in _text(bad)
    me = world.a.emails["admin"]
    demote = admin.post(f"/admin/people/{me}/roles", data={"name": "A", "roles": ["viewer"]})
    assert demote.status_code == 422
    assert ("you are the last admin of Alpha Heat AB, so you cannot take the admin role from "
            "yourself; make someone else an admin first") in _text(demote)
    confirm = _text(admin.get(f"/admin/people/{me}/remove"))
    assert "Remove yourself from Alpha Heat AB?" in confirm
    leave = admin.post(f"/admin/people/{me}/remove", follow_redirects=True)
    assert ("Nobody was removed: you are the last admin of Alpha Heat AB, so you cannot "
            "remove yourself") in _text(leave)
    assert snapshot(world.app) == before


def test_removing_on_the_page_asks_first_then_ends_their_access(world: World) -> None:
    viewer = world.a.emails["viewer"]
    viewer_page = login(world, "viewer")
    admin = login(world, "admin")
    confirm = _text(admin.get(f"/admin/people/{viewer}/remove"))
    assert "Remove Viewer of Alpha Heat AB from Alpha Heat AB?" in confirm
    assert "1 API token acting as them will be revoked" in confirm
    assert 'data-testid="confirm-remove"' in confirm
    assert _roles(world, viewer) == ["viewer"]  # the GET changed nothing
    done = admin.post(f"/admin/people/{viewer}/remove", follow_redirects=True)
    assert ("Viewer of Alpha Heat AB was removed from Alpha Heat AB and 1 API token revoked; "
            "they can no longer open its pages.") in _text(done)
    assert viewer_page.get("/board").status_code == 302
    assert world.api("viewer").get("/api/v1/me").status_code == 401


def test_adding_honours_idempotency_key(world: World) -> None:
    body = {"email": "ida@alpha.test", "roles": ["viewer"], "name": "Ida"}
    headers = {"Idempotency-Key": "add-ida"}
    first = world.api().post("/api/v1/users", json=body, headers=headers)
    again = world.api().post("/api/v1/users", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json == first.json
    other = world.api().post("/api/v1/users", json={**body, "name": "Ida B"}, headers=headers)
    assert other.status_code == 409
    added = [e for e in _events(world.app, world.a.tenant_id, "member")
             if e[0] == "member.added" and e[3]["email"] == "ida@alpha.test"]
    assert len(added) == 1


def test_every_people_and_token_form_needs_its_csrf_token(world: World, app_config: Any) -> None:
    import re

    from workorders.platform import create_app

    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = csrf_app.test_client()

    def token_on(path: str) -> str:
        html = _text(client.get(path))
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or (
            re.search(r'name="csrf_token" value="([^"]+)"', html))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    assert client.post("/login", data={"email": world.a.emails["admin"],
                                       "password": "correct horse battery",
                                       "csrf_token": token_on("/login")}).status_code == 302
    viewer = world.a.emails["viewer"]
    before = snapshot(world.app)
    posts = [("/admin/people", {"email": "x@alpha.test", "roles": ["viewer"]}),
             (f"/admin/people/{viewer}/roles", {"roles": ["admin"]}),
             (f"/admin/people/{viewer}/invitation", {}),
             (f"/admin/people/{viewer}/remove", {}),
             ("/admin/tokens", {"label": "x", "user": viewer}),
             ("/admin/tokens/1/revoke", {})]
    for path, data in posts:
        assert client.post(path, data=data).status_code == 400, path
    assert snapshot(world.app) == before
    invited = client.post("/admin/people", data={
        "email": "x@alpha.test", "roles": ["viewer"], "csrf_token": token_on("/admin/people")})
    assert invited.status_code == 302
    created = client.post("/admin/tokens", data={
        "label": "x", "user": viewer, "csrf_token": token_on("/admin/tokens")})
    assert created.status_code == 200 and "Copy it now" in _text(created)
