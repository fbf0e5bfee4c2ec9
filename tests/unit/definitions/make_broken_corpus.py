"""Regenerates ``broken/``: one file per defect, each derived from ``base.yaml``.

Run ``python -m tests.unit.definitions.make_broken_corpus`` from the repository
root after changing the base or adding a case. Each case names the text to replace,
its replacement, the JSON pointer the error must carry and a marker whose line in the
generated file is the expected line (default: the replacement's first line). The
expected line is computed from the text here, never from the validator, so
``test_broken_corpus`` can fail.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
BASE = (HERE / "base.yaml").read_text("utf-8")
BODY = BASE.split("\n", 1)[1]  # without the base's own comment line

T1 = "/case_types/0/lifecycle/transitions"
F0 = "/forms/0/sections/0/fields"
R = "/rules"

# (name, old, new, expected path, marker or None)
CASES: list[tuple[str, str, str, str, str | None]] = [
    # --- schema: unknown keys, types, enums, patterns
    ("unknown_top_key", "rules:\n", "rulez:\n", "/rulez", None),
    ("unknown_key_typo", "      transitions:\n", "      trnasitions:\n",
     "/case_types/0/lifecycle/trnasitions", None),
    ("wrong_format", "format: workorders/v1", "format: workorders/v2", "/format", None),
    ("bad_id_pattern", "  - id: overtime\n", "  - id: Overtime\n", f"{R}/0/id", None),
    ("missing_name", "name: Base tenant\n", "", "", "format: workorders/v1"),
    ("roles_not_list", "roles: [coordinator, system]}", "roles: coordinator}",
     f"{T1}/2/roles", None),
    ("unknown_field_type", "{id: ok, type: boolean}", "{id: ok, type: checkbox}",
     "/forms/1/sections/0/fields/1/type", None),
    ("unknown_op", "op: gt, value: 8}", "op: greater, value: 8}", f"{R}/0/when/op", None),
    ("unknown_connector_format", "format: fortnox_invoice", "format: visma_invoice",
     "/connectors/0/format", None),
    ("unknown_transport", "transport: {type: http,", "transport: {type: ftp,",
     "/connectors/0/transport/type", None),
    ("unknown_channel", "heads_up: {channel: email,", "heads_up: {channel: pigeon,",
     "/notifications/templates/heads_up/channel", None),
    ("condition_mixes_keys", "when: {fact: totals.hours, op: gt, value: 8}",
     "when: {fact: totals.hours, op: gt, value: 8, all: [{fact: form_id, op: present}]}",
     f"{R}/0/when", None),
    ("two_actions_in_one_item", "      - block_invoicing: {reason: No signature}\n",
     "      - block_invoicing: {reason: No signature}\n        notify: {template: heads_up, "
     "to: [customer]}\n", f"{R}/1/then/0", None),
    ("price_not_decimal_text", 'price: "385.50"', 'price: "385,50"',
     "/catalog/articles/1/price", None),
    ("number_prefix_lowercase", "number_prefix: JOB", "number_prefix: job",
     "/case_types/0/number_prefix", None),
    # --- catalog and seller
    ("currency_not_iso", "currency: SEK", "currency: SKR", "/currency", None),
    ("timezone_unknown", "locale: sv-SE\n", "locale: sv-SE\ntimezone: Europe/Stokholm\n",
     "/timezone", "timezone:"),
    ("logo_not_an_image", "locale: sv-SE\n", "locale: sv-SE\nbranding:\n  logo: "
     "\"data:image/png;base64,PGh0bWw+PC9odG1sPg==\"\n", "/branding/logo", "  logo:"),
    ("unit_not_rec20", "unit: MTR, price: 89.00", "unit: METER, price: 89.00",
     "/catalog/articles/0/unit", None),
    ("price_three_decimals", "price: 695.00", "price: 695.005", "/catalog/labor/0/price", None),
    ("unknown_vat_category", "unit: EA, price: \"385.50\", vat: standard",
     "unit: EA, price: \"385.50\", vat: reduced", "/catalog/articles/1/vat", None),
    ("duplicate_article", "{number: VLV1,", "{number: CU15,", "/catalog/articles/1/number",
     None),
    ("duplicate_labor_code", "{code: travel,", "{code: install,", "/catalog/labor/1/code",
     None),
    ("vat_rate_over_100", "vat_rates: {standard: 25}", "vat_rates: {standard: 250}",
     "/catalog/vat_rates/standard", None),
    ("seller_country_unknown", "country: SE}", "country: XX}", "/seller/address/country", None),
    ("peppol_scheme_unknown", '"0007:5560000001"', '"7777:5560000001"', "/seller/peppol_id",
     None),
    # --- case types and lifecycles
    ("duplicate_case_type", "    forms: [report, checklist]\n",
     "    forms: [report, checklist]\n    lifecycle:\n      initial: a\n      states: [{id: a, "
     "final: true}]\n      transitions: []\n  - id: job\n    name: Again\n",
     "/case_types/1/id", "  - id: job\n    name: Again"),
    ("duplicate_state", "{id: done, label: Done,", "{id: booked, label: Done,",
     "/case_types/0/lifecycle/states/2/id", None),
    ("duplicate_transition", "{id: invoice, from: done", "{id: start, from: done",
     f"{T1}/2/id", None),
    ("initial_unknown", "initial: booked", "initial: new", "/case_types/0/lifecycle/initial",
     None),
    ("transition_from_unknown", "{id: start, from: booked,", "{id: start, from: bokked,",
     f"{T1}/0/from", None),
    ("transition_to_unknown", "to: invoiced, roles", "to: invoice, roles", f"{T1}/2/to", None),
    ("state_unreachable", "        - {id: invoiced, label: Invoiced, final: true}\n",
     "        - {id: invoiced, label: Invoiced, final: true}\n        - {id: limbo, final: "
     "true}\n", "/case_types/0/lifecycle/states/4/id", "{id: limbo"),
    ("state_without_exit", "{id: invoiced, label: Invoiced, final: true}",
     "{id: invoiced, label: Invoiced}", "/case_types/0/lifecycle/states/3/id", None),
    ("unknown_role", "roles: [technician], requires", "roles: [technican], requires",
     f"{T1}/0/roles/0", None),
    ("requires_unknown_attribute", "requires: [assignee]", "requires: [assignee, due_date]",
     f"{T1}/0/requires/1", None),
    ("requires_forms_undefined", "requires_forms: [report]", "requires_forms: [reprot]",
     f"{T1}/1/requires_forms/0", None),
    ("case_type_form_undefined", "forms: [report, checklist]",
     "forms: [report, checklist, survey]", "/case_types/0/forms/2", None),
    ("unknown_owner", "owner: assignee}", "owner: customer_service}",
     "/case_types/0/lifecycle/states/1/owner", None),
    ("case_field_photos", "{id: flagged, type: boolean, label: Flagged}",
     "{id: flagged, type: photos, label: Flagged}", "/case_types/0/fields/1/type", None),
    # --- forms
    ("duplicate_form", "  - id: checklist\n", "  - id: report\n", "/forms/1/id", None),
    ("duplicate_field", "{id: serial, type: text,", "{id: description, type: text,",
     f"{F0}/3/id", None),
    ("visible_if_unknown_field", "visible_if: {field: ok, equals: false}",
     "visible_if: {field: okay, equals: false}",
     "/forms/1/sections/0/fields/2/visible_if/field", None),
    ("required_if_self", "required_if: {field: signature, present: true}",
     "required_if: {field: signer, present: true}", f"{F0}/7/required_if/field", None),
    ("pattern_invalid", 'pattern: "^[A-Z0-9-]{6,20}$"', 'pattern: "^[A-Z0-9-{6,20}$"',
     f"{F0}/3/pattern", None),
    ("pattern_catastrophic", 'pattern: "^[A-Z0-9-]{6,20}$"', 'pattern: "^([A-Z]+)+$"',
     f"{F0}/3/pattern", None),
    ("pattern_too_long", 'pattern: "^[A-Z0-9-]{6,20}$"', 'pattern: "' + "a" * 501 + '"',
     f"{F0}/3/pattern", None),
    ("min_greater_than_max", "{id: pressure, type: decimal, min: 0, max: 10}",
     "{id: pressure, type: decimal, min: 12, max: 10}", "/forms/1/sections/0/fields/0/min",
     None),
    ("labor_not_in_catalog", "labor: [install, travel]", "labor: [install, overtime]",
     f"{F0}/0/labor/1", None),
    ("choice_without_options", "{id: kind, type: choice, options: [repair, install]}",
     "{id: kind, type: choice}", f"{F0}/4", None),
    ("field_condition_incomplete", "visible_if: {field: ok, equals: false}",
     "visible_if: {field: ok}", "/forms/1/sections/0/fields/2/visible_if", None),
    # --- rules: triggers, facts, ops, values, limits
    ("duplicate_rule", "  - id: bulk\n", "  - id: overtime\n", f"{R}/2/id", None),
    ("trigger_unknown_transition", "on: [submit]", 'on: [submit, "transition:finish"]',
     f"{R}/0/on/1", None),
    ("trigger_unknown_state", "on: [submit]", 'on: ["enter:closed"]', f"{R}/0/on/0", None),
    ("fact_unknown_form_field", "{fact: form.ok, op: eq", "{fact: form.okay, op: eq",
     f"{R}/3/when/fact", None),
    ("fact_unknown_total", "fact: totals.hours", "fact: totals.overtime", f"{R}/0/when/fact",
     None),
    ("fact_unknown_case_field", "{fact: form.ok, op: eq, value: false}",
     "{fact: case.fields.colour, op: eq, value: red}", f"{R}/3/when/fact", None),
    ("gt_on_text", "{fact: form.ok, op: eq, value: false}",
     "{fact: form.description, op: gt, value: 3}", f"{R}/3/when/op", None),
    ("gt_on_boolean", "{fact: form.ok, op: eq, value: false}",
     "{fact: form.ok, op: gt, value: 1}", f"{R}/3/when/op", None),
    ("string_for_number", "op: gt, value: 8}", 'op: gt, value: "8"}', f"{R}/0/when/value", None),
    ("matches_on_number", "op: gt, value: 8}", 'op: matches, value: "8.*"}',
     f"{R}/0/when/op", None),
    ("in_without_list", "op: in, value: [in_progress, done]}", "op: in, value: done}",
     f"{R}/1/when/all/0/value", None),
    ("status_value_unknown", "value: [in_progress, done]}", "value: [in_progress, finished]}",
     f"{R}/1/when/all/0/value", None),
    ("matches_unsafe_regex", "{fact: form.ok, op: eq, value: false}",
     '{fact: form.serial, op: matches, value: "(AB|CD)-.*"}', f"{R}/3/when/value", None),
    ("quantifier_over_non_list", "any_item: form.materials", "any_item: form.description",
     f"{R}/2/when/any_item", None),
    ("where_unknown_item_key", "where: {fact: quantity,", "where: {fact: qty,",
     f"{R}/2/when/where/fact", None),
    ("number_beyond_int64", "op: gt, value: 8}", "op: gt, value: 9223372036854775808}",
     f"{R}/0/when/value", None),
    ("number_not_finite", "op: gt, value: 8}", "op: gt, value: .inf}", f"{R}/0/when/value",
     None),
    ("too_many_leaves", "when: {fact: totals.hours, op: gt, value: 8}",
     "when: {any: [" + ", ".join(f"{{fact: totals.hours, op: gt, value: {i}}}"
                                 for i in range(33)) + "]}", f"{R}/0/when", None),
    ("too_deep", "when: {fact: totals.hours, op: gt, value: 8}",
     "when: {not: {not: {not: {not: {not: {not: {fact: totals.hours, op: gt, value: 8}}}}}}}",
     f"{R}/0/when", None),
    ("in_list_too_long", "op: in, value: [in_progress, done]}",
     "op: in, value: [" + ", ".join(["done"] * 101) + "]}", f"{R}/1/when/all/0/value", None),
    ("unary_op_with_value", "{fact: form.signature, op: missing}",
     "{fact: form.signature, op: missing, value: true}", f"{R}/1/when/all/1/value", None),
    # --- rules: actions and templates
    ("approval_unknown_role", "require_approval: {role: coordinator,",
     "require_approval: {role: manager,", f"{R}/0/then/0/require_approval/role", None),
    ("approval_two_approvers", "require_approval: {role: coordinator,",
     "require_approval: {role: coordinator, customer: true,", f"{R}/0/then/0/require_approval",
     None),
    ("assign_user_not_email", "assign: {user: lead@example.com}", "assign: {user: lead}",
     f"{R}/3/then/1/assign/user", None),
    ("notify_unknown_template", "template: heads_up,", "template: heads_down,",
     f"{R}/2/then/0/notify/template", None),
    ("notify_unknown_recipient", 'to: ["role:admin", "webhook:ops"]',
     'to: ["role:admin", "everyone"]', f"{R}/2/then/0/notify/to/1", None),
    ("notify_unknown_webhook", 'to: ["role:admin", "webhook:ops"]',
     'to: ["role:admin", "webhook:slack"]', f"{R}/2/then/0/notify/to/1", None),
    ("set_field_unknown", "set_field: {field: flagged,", "set_field: {field: flaged,",
     f"{R}/3/then/0/set_field/field", None),
    ("transition_action_unknown", "transition: {id: complete}", "transition: {id: finish}",
     f"{R}/3/then/2/transition/id", None),
    ("transition_action_not_system", "transition: {id: complete}", "transition: {id: start}",
     f"{R}/3/then/2/transition/id", None),
    ("exception_assign_unknown", "assign: coordinator, message", "assign: boss, message",
     f"{R}/1/then/1/raise_exception/assign", None),
    ("template_syntax_error", 'reason: "{{ totals.hours }} h"', 'reason: "{{ totals.hours h"',
     f"{R}/0/then/0/require_approval/reason", None),
    ("template_unknown_fact", 'message: "{{ case.number }}"', 'message: "{{ case.nummer }}"',
     f"{R}/1/then/1/raise_exception/message", None),
    ("template_unknown_name", 'message: "{{ case.number }}"', 'message: "{{ ticket }}"',
     f"{R}/1/then/1/raise_exception/message", None),
    ("template_dunder", 'message: "{{ case.number }}"',
     "message: \"{{ ''.__class__.__mro__ }}\"", f"{R}/1/then/1/raise_exception/message",
     None),
    ("template_unknown_filter", 'message: "{{ case.number }}"',
     'message: "{{ case.number | shout }}"', f"{R}/1/then/1/raise_exception/message", None),
    ("rule_unknown_case_type", "  - id: bulk\n", "  - id: bulk\n    case_types: [jobb]\n",
     f"{R}/2/case_types/0", "case_types: [jobb]"),
    # --- notifications and connectors
    ("notification_unknown_fact", 'body: "Hello {{ case.customer.name }}"',
     'body: "Hello {{ case.customer.nmae }}"', "/notifications/templates/heads_up/body", None),
    ("email_without_subject", 'subject: "Check {{ case.number }}", ', "",
     "/notifications/templates/heads_up", "heads_up:"),
    ("webhook_secret_in_bundle", "secret: OPS_SECRET", "secret: s3cr3t-t0ken-9f8a",
     "/notifications/webhooks/ops/secret", None),
    ("webhook_secret_named_twice", "secret: OPS_SECRET", "secret: OPS_SECRET, secret_env: OPS",
     "/notifications/webhooks/ops/secret_env", None),
    ("file_directory_absolute", 'transport: {type: http, url: "https://erp.example.test/in", '
     "secret: ERP_SECRET}", "transport: {type: file, directory: /etc/cron.d}",
     "/connectors/0/transport/directory", None),
    ("file_directory_dotdot", 'transport: {type: http, url: "https://erp.example.test/in", '
     "secret: ERP_SECRET}", "transport: {type: file, directory: exports/../../etc}",
     "/connectors/0/transport/directory", None),
    ("connector_secret_looks_like_secret", "secret: ERP_SECRET}",
     "secret_env: X9F3K2M8Q7W1Z5R4T6Y0}", "/connectors/0/transport/secret_env", None),
    ("connector_option_wrong_format", 'options: {customer_number: "{{ case.customer.erp_id }}"',
     'options: {buyer_reference: "{{ case.number }}"', "/connectors/0/options/buyer_reference",
     None),
    ("connector_article_map_unknown", 'article_map: {install: "1001"}',
     'article_map: {instal: "1001"}', "/connectors/0/options/article_map/instal", None),
    ("connector_unknown_trigger", 'on: "transition:invoice"', 'on: "transition:bill"',
     "/connectors/0/on", None),
    ("connector_http_without_url", 'transport: {type: http, url: "https://erp.example.test/in", '
     "secret: ERP_SECRET}", "transport: {type: http, secret: ERP_SECRET}",
     "/connectors/0/transport", None),
    # --- golden tests
    ("test_unknown_case_type", "case: {case_type: job,", "case: {case_type: jobs,",
     "/tests/0/case/case_type", None),
    ("test_status_not_state", "status: in_progress}", "status: started}",
     "/tests/0/case/status", None),
    ("test_form_not_in_case_type", "submit: {form: report,", "submit: {form: survey,",
     "/tests/0/submit/form", None),
    ("test_expects_unknown_rule", "fired: [overtime]", "fired: [overtime, undertime]",
     "/tests/0/expect/fired/1", None),
    ("test_exception_never_raised", "exceptions: [NO_SIGNATURE]", "exceptions: [NO_SIGNATURE, "
     "LATE]", "/tests/0/expect/exceptions/1", None),
    ("test_submit_and_transition", "    expect: {fired: [overtime],",
     "    transition: start\n    expect: {fired: [overtime],", "/tests/0", "  - name: overtime"),
    ("test_unknown_form_field", "description: x}}", "descr: x}}",
     "/tests/0/submit/data/descr", None),
]

# Unreadable sources: (name, text or bytes, expected path, expected line)
RAW: list[tuple[str, str | bytes, str, int]] = [
    ("syntax_unclosed_bracket", BODY.replace("roles: [technician], requires",
                                             "roles: [technician, requires", 1), "", 37),
    ("syntax_bad_indent", BODY.replace("  vat_rates: {standard: 25}\n",
                                       "  vat_rates: {standard: 25}\n bad: indent\n", 1), "", 15),
    ("syntax_tab_indent", BODY.replace("  articles:\n", "\tarticles:\n", 1), "", 15),
    ("duplicate_key", BODY.replace("locale: sv-SE\n", "locale: sv-SE\nname: Again\n", 1),
     "/name", 5),
    ("yaml_alias", BODY.replace("currency: SEK", "currency: &cur SEK", 1).replace(
        "locale: sv-SE", "locale: *cur", 1), "/locale", 4),
    ("billion_laughs", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "format: workorders/v1\n",
     "/b/0", 2),
    ("merge_key", BODY.replace("  vat_rates: {standard: 25}\n",
                               "  <<: {vat_rates: {standard: 25}}\n", 1), "/catalog", 14),
    ("python_tag", BODY.replace("name: Base tenant", "name: !!python/object/apply:os.system "
                                "[echo]", 1), "/name", 2),
    ("top_level_list", "- format: workorders/v1\n- name: x\n", "", 1),
    ("top_level_scalar", "just some text\n", "", 1),
    ("deep_nesting", "format: workorders/v1\nname: " + "[" * 80 + "]" * 80 + "\n",
     "/name" + "/0" * 63, 2),
    ("two_documents", BODY + "---\nformat: workorders/v1\n", "", 101),
    ("not_utf8", BODY.replace("Umeå", "Ume\udce5", 1).encode("utf-8", "surrogateescape"), "", 10),
    ("empty", "\n\n", "", -1),
]


def _line_of(text: str, marker: str, start: int) -> int:
    """Line of ``marker`` at or after the edit, else the nearest one before it."""
    index = text.find(marker, start)
    if index < 0:
        index = text.rindex(marker, 0, start)
    return text.count("\n", 0, index) + 1


def main() -> None:
    out = HERE / "broken"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    for name, old_text, new_text, path, marker in CASES:
        assert BODY.count(old_text) >= 1, name
        start = BODY.index(old_text)
        body = BODY.replace(old_text, new_text, 1)
        header = f"# defect: {name.replace('_', ' ')}\n# expect: {path or '(root)'} line {{}}\n"
        line = _line_of(body, marker or new_text.strip(), start) + 2
        (out / f"{name}.yaml").write_text(header.format(line) + body, "utf-8")
    for name, content, path, line in RAW:
        where = 1 if line < 0 else line + 2
        header = f"# defect: {name.replace('_', ' ')}\n# expect: {path or '(root)'} line {where}\n"
        raw = content if isinstance(content, bytes) else content.encode("utf-8")
        (out / f"{name}.yaml").write_bytes(header.encode() + raw)


if __name__ == "__main__":
    main()
