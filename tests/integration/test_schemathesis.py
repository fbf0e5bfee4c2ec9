"""schemathesis against the OpenAPI document the app serves, on each database:
no 5xx, no status the document does not list, no answer that breaks its
documented schema or content type. Bounded (a few deterministic examples per
operation) so it fits in ``make test``; it calls the schemathesis CLI in a
child process, so pytest-xdist and schemathesis's own pytest plugin never meet."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.world import World

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")
EXAMPLES_PER_OPERATION = 4
TIME_LIMIT_SECONDS = 170


@pytest.fixture
def real_ids(world: World) -> dict[str, Any]:
    """One real row of the tenant for every kind of id in a path (the same
    sources the tenant isolation matrix uses), so generated requests reach real
    cases, submissions, exceptions, approvals and exports instead of 404s."""
    from tests.integration.test_tenant_isolation import ID_OF_TENANT_A

    return {name: source(world) for name, source in ID_OF_TENANT_A.items()}


@pytest.fixture
def served(world: World, real_ids: dict[str, Any]) -> Iterator[str]:
    """The test's app on a real threaded HTTP server, after ``real_ids`` made
    its rows."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, world.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_the_served_api_conforms_to_its_openapi_document(
        world: World, served: str, real_ids: dict[str, Any], tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text("[parameters]\n" + "".join(
        f"{name} = {json.dumps(value)}\n" for name, value in real_ids.items()))
    cli = Path(sys.executable).with_name("schemathesis")
    run = subprocess.run(
        [str(cli), "--config-file", str(config), "run", f"{served}/api/v1/openapi.json",
         "--header", f"Authorization: Bearer {world.a.tokens['admin']}",
         "--checks", ",".join(CHECKS), "--max-examples", str(EXAMPLES_PER_OPERATION),
         "--generation-deterministic",
         "--phases", "examples,coverage,fuzzing", "--workers", "1",
         "--continue-on-failure", "--no-color", "--request-timeout", "60"],
        cwd=tmp_path, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS, check=False)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    doc = world.app.test_client().get("/api/v1/openapi.json").json
    # every operation was exercised, except the document schemathesis loaded itself
    operations = sum(len(methods) for path, methods in doc["paths"].items()
                     if path != "/api/v1/openapi.json")
    assert f"Tested: {operations}\n" in run.stdout, run.stdout[-3000:]
