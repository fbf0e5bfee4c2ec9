"""What the editor's "see it" panels show, over HTTP: rules in words, the
autocomplete vocabulary, golden test results with traces, trying a form, a
connector's sample payload and a notification template in each language. Each
runs the version's own templates or rules on the server (or reveals its wiring),
so, like validate and publish, only admins may call them."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from workorders.definitions.completions import vocabulary
from workorders.platform.api import api
from workorders.platform.api.docs import operation
from workorders.platform.api.inputs import json_body
from workorders.platform.auth import current_actor
from workorders.platform.jobs.email_message import text_to_html
from workorders.platform.permissions import Action, require
from workorders.platform.services import definitions as svc
from workorders.platform.services.connector_samples import connector_sample
from workorders.platform.services.form_preview import form_target, try_form
from workorders.platform.services.golden_report import golden_report
from workorders.rules.notice_preview import preview_notification
from workorders.rules.words import rules_in_words

BUDGET_EXCEEDED = ("The version's checks (templates, golden tests) ran past the time budget "
                   "(WORKORDERS_CHECK_BUDGET_SECONDS)")
TRY_BODY = {"type": "object", "additionalProperties": False, "required": ["data"],
            "properties": {"data": {"type": "object",
                                    "description": "the form's data, as POST /cases/{id}/"
                                                   "forms/{form} takes it"}}}


@api.get("/definitions/<int:n>/rules")
@require(Action.CHECK_DEFINITIONS)
@operation("Version n's rules in plain words, each with the golden tests that cover it",
           responses={200: "{version, rules:[{id, sentence, description, condition, triggers, "
                           "actions:[...], tests:[{name, expects}]}]}"})
def definition_rules(n: int) -> Any:
    version = svc.get_version(current_actor().tenant_id, n)
    bundle = svc.bundle_of(version)
    return jsonify(version=n, rules=[w.to_dict() for w in rules_in_words(bundle)])


@api.get("/definitions/<int:n>/vocabulary")
@require(Action.CHECK_DEFINITIONS)
@operation("What the editor may suggest for version n: the schema's keys and the bundle's "
           "names (fields, facts, ops, states, roles, articles, templates...)",
           responses={200: "{<list>: [{label, detail}]}"})
def definition_vocabulary(n: int) -> Any:
    version = svc.get_version(current_actor().tenant_id, n)
    return jsonify(vocabulary(svc.bundle_of(version)))


@api.get("/definitions/<int:n>/tests")
@require(Action.CHECK_DEFINITIONS)
@operation("Run version n's golden tests: pass/fail, expected vs actual, and the traces",
           responses={200: "{version, tests:[{name, passed, failures, expected, actual, "
                           "traces}], tests_passed, total, failed}",
                      422: BUDGET_EXCEEDED})
def definition_tests(n: int) -> Any:
    return jsonify(golden_report(current_actor().tenant_id, n))


@api.post("/definitions/<int:n>/forms/<form_id>/try")
@require(Action.CHECK_DEFINITIONS)
@operation("Try a form of version n with typed data: the technician's errors, the totals "
           "and the rules a final submission would fire, with traces; nothing is stored",
           body=TRY_BODY,
           responses={200: "{valid, errors:[{path, message}], missing, evaluated, totals, "
                           "fired:[{rule, sentence, trace}], outcomes, blockers, problems, "
                           "case, stored: false}",
                      422: BUDGET_EXCEEDED})
def try_definition_form(n: int, form_id: str) -> Any:
    actor = current_actor()
    target = form_target(actor.tenant_id, n, form_id)
    body = json_body(TRY_BODY)
    result = try_form(target, body["data"], assignee=actor.email)
    return jsonify(version=n, form=form_id, **result.to_dict())


@api.get("/definitions/<int:n>/connectors/<connector_id>/sample")
@require(Action.CHECK_DEFINITIONS)
@operation("The payload a connector of version n would send for a real case (case_id, else "
           "the latest one ready for invoicing) or a made-up one; never delivered",
           query={"case_id": {"type": "integer", "minimum": 1}},
           responses={200: "{version, connector, format, case:{id, number, made_up}, payload, "
                           "content_type, problems:[...], blockers:[...], ready}",
                      409: "The version cannot invoice that case (no such case type)"})
def definition_connector_sample(n: int, connector_id: str) -> Any:
    case_id = request.args.get("case_id", type=int)
    return jsonify(connector_sample(current_actor(), n, connector_id, case_id))


@api.get("/definitions/<int:n>/notification-templates/<template_id>/preview")
@require(Action.CHECK_DEFINITIONS)
@operation("Notification template template_id of version n (or a built-in one) rendered in "
           "each of its languages over a made-up case of case_type (default: the first); "
           "with locale, only the text a reader of that language gets. Nothing is sent",
           query={"case_type": {"type": "string"}, "locale": {"type": "string"}},
           responses={200: "{version, template, channel, kind, case_type, note, "
                           "texts:[{language, subject, body, problem, "
                           "sms:{characters, encoding, segments}, html (email only)}]}",
                      404: "No such version, template or case type (the known ones are "
                           "listed)"})
def definition_notification_preview(n: int, template_id: str) -> Any:
    version = svc.get_version(current_actor().tenant_id, n)
    preview = preview_notification(svc.bundle_of(version), template_id,
                                   case_type_id=request.args.get("case_type") or None,
                                   locale=request.args.get("locale") or None)
    answer = preview.to_dict()
    if preview.template.channel == "email":  # the HTML part the email would carry
        for text in answer["texts"]:
            text["html"] = None if text["problem"] else text_to_html(text["body"])
    return jsonify(version=n, **answer)
