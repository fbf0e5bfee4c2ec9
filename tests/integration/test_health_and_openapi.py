"""Probes and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.support.world import World


def test_healthz_and_readyz(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "redis": "not configured"}


def test_readyz_names_an_unreachable_redis(app_config: dict[str, Any]) -> None:
    from workorders.platform import create_app

    app = create_app({**app_config, "redis_url": "redis://127.0.0.1:1/0"})
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"] == "ok"
    assert ready.json["checks"]["redis"].startswith("ConnectionError")


def test_readyz_names_an_unreachable_database(app_config: dict[str, Any], tmp_path: Any) -> None:
    from workorders.platform import create_app

    app = create_app({**app_config,
                      "database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["database"] != "ok"


def test_openapi_documents_every_api_route_and_method(world: World) -> None:
    doc = world.app.test_client().get("/api/v1/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in world.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} is undocumented"
    users_post = doc["paths"]["/api/v1/users"]["post"]
    schema = users_post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["email", "roles"]
    assert "Roles: admin." in users_post["description"]
    assert doc["paths"]["/api/v1/jobs/{job_id}"]["get"]["parameters"][0]["schema"] == {
        "type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def test_openapi_needs_no_token(app: Flask) -> None:
    assert app.test_client().get("/api/v1/openapi.json").status_code == 200
