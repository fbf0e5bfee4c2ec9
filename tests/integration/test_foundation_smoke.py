from tests.support.world import World


def test_me_answers_the_token_owner_and_tenant(world: World) -> None:
    resp = world.api("coordinator").get("/api/v1/me")
    assert resp.status_code == 200
    assert resp.json == {"email": "coordinator@alpha.test", "name": "Coordinator of Alpha Heat AB",
                         "roles": ["coordinator"],
                         "tenant": {"slug": "alpha", "name": "Alpha Heat AB"}}
