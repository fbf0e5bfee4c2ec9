"""The admin's secrets page: set, replace and delete through the same rules as the
API, see what the published bundle signs with, and never see a value again."""

from __future__ import annotations

from tests.integration.test_capture_pages import login
from tests.support.cases import publish_example
from tests.support.state import snapshot
from tests.support.web import signed_in_home
from tests.support.world import World


def test_an_admin_sets_replaces_and_deletes_without_seeing_values(world: World) -> None:
    from workorders.platform.services.tenant_secrets import open_secret

    publish_example(world)
    admin = login(world, "admin")
    page = admin.get("/secrets").get_data(as_text=True)
    assert 'data-testid="nav-secrets"' in page
    assert 'data-testid="secret-FORTNOX_WEBHOOK"' in page and "not set" in page
    assert "connector fortnox" in page
    saved = admin.post("/secrets", data={"name": "FORTNOX_WEBHOOK", "value": "page-value-1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Secret FORTNOX_WEBHOOK saved. It will not be shown again." in saved
    replaced = admin.post("/secrets", data={"name": "FORTNOX_WEBHOOK", "value": "page-value-2"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Secret FORTNOX_WEBHOOK replaced." in replaced
    assert "page-value" not in saved + replaced
    with world.app.app_context():
        assert open_secret(world.a.tenant_id, "FORTNOX_WEBHOOK", "the test") == "page-value-2"
    deleted = admin.post("/secrets/FORTNOX_WEBHOOK/delete",
                         follow_redirects=True).get_data(as_text=True)
    assert "Secret FORTNOX_WEBHOOK deleted" in deleted


def test_bad_input_on_the_page_says_what_is_expected_and_changes_nothing(world: World) -> None:
    admin = login(world, "admin")
    before = snapshot(world.app)
    bad = admin.post("/secrets", data={"name": "my-key", "value": "pasted-value"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Nothing was saved: &#39;my-key&#39; is not a secret name (capital letters" in bad
    assert "pasted-value" not in bad
    gone = admin.post("/secrets/NEVER_SET/delete", follow_redirects=True).get_data(as_text=True)
    assert "Nothing was deleted: the tenant has no secret named &#39;NEVER_SET&#39;" in gone
    assert snapshot(world.app) == before


def test_only_admins_reach_the_page(world: World) -> None:
    for role in ("coordinator", "technician", "viewer"):
        client = login(world, role)
        assert client.get("/secrets").status_code == 403
        assert client.post("/secrets", data={"name": "X", "value": "v"}).status_code == 403
        assert 'data-testid="nav-secrets"' not in signed_in_home(client).get_data(as_text=True)
