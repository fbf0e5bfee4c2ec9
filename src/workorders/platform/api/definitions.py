"""Definition bundles over HTTP: validate, store drafts, list, read, publish, diff;
edit a draft in place (If-Match / ETag), start drafts from versions or examples,
retire, and what a publish would change."""

from __future__ import annotations

from typing import Any

import yaml
from flask import Response, jsonify, request

from workorders.definitions import MAX_BUNDLE_BYTES
from workorders.errors import ValidationFailed
from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.idempotency import body_limit, idempotent
from workorders.platform.api.inputs import json_body, require_content_type
from workorders.platform.auth import current_actor
from workorders.platform.models import DefinitionVersion
from workorders.platform.permissions import Action, require
from workorders.platform.services import definition_drafts as drafts
from workorders.platform.services import definitions as svc

BUNDLE_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
                "application/json")
#: the request may be a little larger than a bundle may be, so an oversized
#: bundle gets the validator's clear message instead of a bare 413
REQUEST_LIMIT = 2 * MAX_BUNDLE_BYTES
BUNDLE_BODY = {"type": "string", "description": "The bundle as YAML or JSON text"}
BUDGET_EXCEEDED = ("The bundle's checks (templates, golden tests) ran past the time budget "
                   "(WORKORDERS_CHECK_BUDGET_SECONDS)")


def _bundle_source() -> tuple[bytes, str | None]:
    request.max_content_length = REQUEST_LIMIT
    mimetype = require_content_type(*BUNDLE_TYPES)
    return request.get_data(cache=True), ("bundle.json" if mimetype == "application/json"
                                          else None)


def version_json(v: DefinitionVersion, *, with_bundle: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": v.number, "status": v.status, "name": v.name,
        "content_hash": v.content_hash, "author": v.author,
        "created_at": v.created_at.isoformat(),
        "published_at": v.published_at.isoformat() if v.published_at else None,
        "published_by": v.published_by,
        "retired_at": v.retired_at.isoformat() if v.retired_at else None,
        "warnings": v.warnings,
        "revision": v.revision, "has_unsaved_errors": bool(v.has_unsaved_errors),
        "based_on": v.based_on, "publish_comment": v.publish_comment,
    }
    if with_bundle:
        body["bundle"] = v.normalized
    return body


@api.post("/definitions/validate")
@require(Action.CHECK_DEFINITIONS)
@operation("Check a bundle without storing it", body=BUNDLE_BODY, content_types=BUNDLE_TYPES,
           responses={200: "{valid, errors:[{path, line, column, message, hint}], warnings, "
                           "tests:[{name, passed, failures}], tests_passed}",
                      422: BUDGET_EXCEEDED})
def validate_definition() -> Any:
    source, filename = _bundle_source()
    with svc.checks_budget():
        result = svc.check_bundle(source, filename, tenant_id=current_actor().tenant_id)
        tests = svc.golden_results(result)
    return jsonify(valid=result.valid, content_hash=result.content_hash,
                   errors=[p.to_dict() for p in result.errors],
                   warnings=[p.to_dict() for p in result.warnings],
                   tests=tests, tests_passed=all(t["passed"] for t in tests))


@api.post("/definitions")
@require(Action.CHECK_DEFINITIONS)
@body_limit(REQUEST_LIMIT)
@idempotent
@operation("Store a bundle as a new draft version", body=BUNDLE_BODY, content_types=BUNDLE_TYPES,
           responses={201: "{version, status: draft}",
                      422: f"The bundle has errors, or: {BUDGET_EXCEEDED}"})
def create_definition() -> Any:
    source, filename = _bundle_source()
    actor = current_actor()
    version = svc.create_draft(actor.tenant_id, source, actor.email, filename=filename)
    return jsonify(version_json(version)), 201


@api.get("/definitions")
@operation("Definition versions with their status (draft, published, retired)")
def list_definitions() -> Any:
    versions = svc.list_versions(current_actor().tenant_id)
    return jsonify(items=[version_json(v) for v in versions], next_cursor=None)


@api.get("/definitions/<int:n>")
@operation("One version with its bundle; ?format=yaml answers the source text",
           query={"format": {"type": "string", "enum": ["json", "yaml"]}},
           produces={"application/json": {"type": "object"},
                     "application/yaml": {"type": "object"}})
def get_definition(n: int) -> Any:
    version = svc.get_version(current_actor().tenant_id, n)
    if request.args.get("format") == "yaml":
        text = (version.source_text if version.source_format == "yaml"
                else yaml.safe_dump(version.normalized, sort_keys=False, allow_unicode=True))
        return _tagged(Response(text, mimetype="application/yaml"), version)
    return _tagged(jsonify(version_json(version, with_bundle=True)), version)


def _tagged(resp: Response, version: DefinitionVersion, status: int | None = None) -> Response:
    resp.headers["ETag"] = drafts.etag_of(version)
    if status is not None:
        resp.status_code = status
    return resp


@api.get("/definitions/<int:n>/source")
@operation("The text an editor shows for version n: a draft's unsaved text that does not "
           "validate yet, else the stored source; its ETag is what a save sends as If-Match",
           produces={"text/plain": {"type": "string"}})
def get_definition_source(n: int) -> Any:
    version = svc.get_version(current_actor().tenant_id, n)
    # text/plain: a draft's working text may be neither valid YAML nor valid JSON
    return _tagged(Response(drafts.editor_text(version), mimetype="text/plain"), version)


@api.put("/definitions/<int:n>")
@require(Action.CHECK_DEFINITIONS)
@operation("Save a draft's text (autosave): valid text becomes the stored bundle, text "
           "that does not validate yet is kept as the draft's unsaved text",
           body=BUNDLE_BODY, content_types=BUNDLE_TYPES,
           responses={200: "The version with {valid, errors, warnings} of the saved text and "
                           "its new ETag", 409: "Not a draft",
                      412: "If-Match names an older revision: someone saved since",
                      428: "No If-Match", 422: f"Text that cannot be stored (over 2 MiB, NUL "
                                               f"characters, not UTF-8), or: {BUDGET_EXCEEDED}"},
           description="Send the ETag of the draft as read (GET /definitions/{n} or "
                       "/source) in If-Match; each save answers the next one. The same text "
                       "again changes nothing. Publishing refuses a draft whose saved text "
                       "does not validate.")
def save_definition(n: int) -> Any:
    source, _filename = _bundle_source()
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"the text is not UTF-8 (byte {exc.start}); nothing was saved",
                               [{"path": "", "message": "not UTF-8"}]) from exc
    actor = current_actor()
    saved = drafts.save_draft(actor.tenant_id, n, text.removeprefix("\ufeff"), actor.email,
                              if_match=request.headers.get("If-Match"))
    return _tagged(jsonify({**version_json(saved.version), "valid": saved.valid,
                            "errors": saved.errors, "warnings": saved.warnings,
                            "saved": saved.saved}), saved.version)


@api.post("/definitions/<int:n>/drafts")
@require(Action.CHECK_DEFINITIONS)
@idempotent
@operation("Start a new draft holding a copy of version n's text",
           responses={201: "The new draft version (based_on: \"version n\")"})
def start_draft_from_version(n: int) -> Any:
    actor = current_actor()
    version = drafts.start_draft(actor.tenant_id, actor.email, from_version=n)
    return _tagged(jsonify(version_json(version)), version, 201)


def example_json(example: drafts.ExampleBundle) -> dict[str, Any]:
    return {"name": example.name, "title": example.title, "filename": example.filename,
            "summary": example.summary}


@api.get("/definitions/examples")
@operation("The example bundles a draft can start from")
def list_examples() -> Any:
    return jsonify(items=[example_json(e) for e in drafts.example_bundles()], next_cursor=None)


@api.post("/definitions/examples/<name>/drafts")
@require(Action.CHECK_DEFINITIONS)
@idempotent
@operation("Start a new draft from an example bundle (its demo edition: connectors write "
           "files, no webhooks)",
           responses={201: "The new draft version (based_on: \"example <file>\")",
                      404: "No example of that name"})
def start_draft_from_example(name: str) -> Any:
    actor = current_actor()
    version = drafts.start_draft(actor.tenant_id, actor.email, from_example=name)
    return _tagged(jsonify(version_json(version)), version, 201)


@api.post("/definitions/<int:n>/retire")
@require(Action.CHECK_DEFINITIONS)
@operation("Retire a draft no case uses (it stays readable)",
           responses={200: "{version, status: retired}",
                      409: "The published version, one already retired, or one cases use"})
def retire_definition(n: int) -> Any:
    actor = current_actor()
    return jsonify(version_json(drafts.retire_version(actor.tenant_id, n, actor.email)))


@api.get("/definitions/<int:n>/publish-summary")
@require(Action.CHECK_DEFINITIONS)
@operation("What publishing version n would change: checks, golden tests, the diff against "
           "the published version (and in sentences), open cases left on it",
           responses={200: "{version, valid, errors, diff, changes, tests, tests_passed, "
                           "published_version, open_cases_on_published, open_cases_total}",
                      422: BUDGET_EXCEEDED})
def publish_summary(n: int) -> Any:
    return jsonify(drafts.publish_summary(current_actor().tenant_id, n))


PUBLISH = {"type": "object", "additionalProperties": False,
           "properties": {"comment": {"type": ["string", "null"],
                                      "maxLength": svc.MAX_COMMENT}}}


@api.post("/definitions/<int:n>/publish")
@require(Action.CHECK_DEFINITIONS)
@operation("Make a draft the current version for new cases", body=PUBLISH,
           responses={200: "{version, status: published}", 422: BUDGET_EXCEEDED,
                      409: "Not a valid draft, unsaved text that does not validate, or a "
                           "golden test fails ({tests: [...]})"},
           description="The body is optional: {comment} says why, kept with the version "
                       "and in the audit trail.")
def publish_definition(n: int) -> Any:
    actor = current_actor()
    body = json_body(PUBLISH) if request.get_data(cache=True) else {}
    version = svc.publish_version(actor.tenant_id, n, actor.email, comment=body.get("comment"))
    return jsonify(version_json(version))


@api.get("/definitions/<int:a>/diff/<int:b>")
@operation("What changed from version a to version b, per section")
def diff_definitions(a: int, b: int) -> Any:
    return jsonify(svc.diff_versions(current_actor().tenant_id, a, b))


SIMULATE = {"type": "object", "additionalProperties": False,
            "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 2000},
                           "background": {"type": "boolean"}}}


@api.post("/definitions/<int:n>/simulate")
@require(Action.CHECK_DEFINITIONS)
@operation("Replay recent real cases under version n; nothing is written",
           body=SIMULATE,
           responses={200: "{cases_checked, changed:[{case_id, before, after}]}",
                      422: BUDGET_EXCEEDED,
                      202: "{task}: more than 200 cases (or background: true) run as a "
                           "background task; poll GET /tasks/{id}"})
def simulate_definition(n: int) -> Any:
    from workorders.platform.services.simulation import (
        SYNC_LIMIT,
        simulate_version,
        start_simulation,
    )

    actor = current_actor()
    svc.get_version(actor.tenant_id, n)
    body = json_body(SIMULATE) if request.get_data(cache=True) else {}
    limit = int(body.get("limit", SYNC_LIMIT))
    if body.get("background") or limit > SYNC_LIMIT:
        task = start_simulation(actor, n, limit)
        return jsonify(task=task_json(task)), 202
    return jsonify(simulate_version(actor, n, limit=limit))


def task_json(task: Any) -> dict[str, Any]:
    return {"id": task.id, "kind": task.kind, "status": task.status, "params": task.params,
            "done": task.done, "total": task.total, "result": task.result,
            "error": task.error, "created_at": task.created_at.isoformat(),
            "finished_at": task.finished_at.isoformat() if task.finished_at else None}


@api.get("/tasks/<int:task_id>")
@operation("Progress and result of a background task (e.g. a simulation)")
def get_task(task_id: int) -> Any:
    from workorders.platform.database import get_for_tenant
    from workorders.platform.models import Task

    return jsonify(task_json(get_for_tenant(Task, task_id, current_actor().tenant_id)))
