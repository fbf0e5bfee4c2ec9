"""Moving open cases to the published definition version over HTTP."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from workorders.platform.api import api
from workorders.platform.api.definitions import task_json
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import json_body
from workorders.platform.auth import current_actor
from workorders.platform.permissions import Action, require
from workorders.platform.services.case_migration import MIGRATE_SCHEMA, dry_run
from workorders.platform.services.case_migration_apply import start_migration
from workorders.platform.services.definitions import get_version


@api.post("/definitions/<int:n>/migrate")
@require(Action.CHECK_DEFINITIONS)
@operation(
    "Move open cases to version n (the published one): dry run or apply",
    body=MIGRATE_SCHEMA,
    description="A dry run answers the report and writes nothing. Applying plans the same "
                "way, then moves the migratable cases in a background task (poll GET "
                "/tasks/{id}); a case that changed after the plan is skipped and reported. "
                "See docs/migration.md.",
    responses={200: "dry run: {to_version, totals:{cases, migratable, not_migratable}, "
                    "cases:[{case_id, number, from_version, from_state, to_state, migratable, "
                    "problems, changes:{fields, forms, rules}}]}",
               202: "{task}: the move runs in the background; its result is the report plus "
                    "migrated and skipped",
               404: "no such version, or a case id that is not one of this workspace's cases",
               409: "version n is not the published version",
               422: "the request has errors (an unknown state or field in a map, a missing "
                    "comment); nothing was changed"})
def migrate_cases(n: int) -> Any:
    actor = current_actor()
    get_version(actor.tenant_id, n)  # another tenant's version is a 404 whatever the body
    body = json_body(MIGRATE_SCHEMA)
    if body["dry_run"]:
        return jsonify(dry_run(actor.tenant_id, n, body))
    task = start_migration(actor, n, body)
    return jsonify(task=task_json(task)), 202
