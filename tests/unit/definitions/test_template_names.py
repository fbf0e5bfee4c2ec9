"""Whatever validation accepts must render: a template may read only the names its
kind of template is given when it runs (issue 12, item 1)."""

from __future__ import annotations

import re

import pytest

from tests.unit.definitions.conftest import REPO
from workorders.definitions import load_bundle

NORDVARME = REPO / "definitions" / "nordvarme-heatpumps.yaml"
#: the approval_needed body line as it shipped before issue 12
OLD_LINE = "Material: {{ totals.material_amount }} kr. Öppna: {{ links.approval }}"


def _with_line(replacement: str) -> str:
    text = NORDVARME.read_text("utf-8")
    edited = re.sub(r"Material: \{\{ totals\.material_amount \}\} kr\. [^\n]*", replacement,
                    text)
    assert replacement in edited
    return edited


def test_the_shipped_approval_needed_text_before_issue_12_is_refused_with_line_and_hint() -> None:
    result = load_bundle(_with_line(OLD_LINE))
    [problem] = result.errors
    assert problem.path == "/notifications/templates/approval_needed/body"
    assert problem.message == "the template uses unknown fact 'links.approval'"
    assert problem.line is not None and problem.line > 0
    assert problem.hint is not None and "links.case" in problem.hint \
        and "links.status_page" in problem.hint


def test_the_shipped_nordvarme_example_validates() -> None:
    result = load_bundle(NORDVARME.read_bytes())
    assert [p.to_dict() for p in result.errors] == []


def test_a_connector_option_cannot_read_links_which_exports_are_not_given() -> None:
    text = NORDVARME.read_text("utf-8").replace(
        'our_reference: "{{ case.assignee.name }}"', 'our_reference: "{{ links.case }}"')
    [problem] = load_bundle(text).errors
    assert problem.path == "/connectors/0/options/our_reference"
    assert problem.message == "the template uses unknown name 'links'"
    assert problem.hint is not None and "invoice" in problem.hint and "links" not in \
        problem.hint.split("known names: ")[-1].split(", ")


def test_templates_are_given_exactly_the_links_validation_accepts() -> None:
    """A caller giving other links than LINK_NAMES would render templates validation
    judged by other names; template_context refuses it instead of rendering."""
    from workorders.rules.render import PLACEHOLDER_LINKS, template_context

    bundle = load_bundle(NORDVARME.read_bytes()).bundle
    assert bundle is not None
    document = {"case": {"number": "INST-1"}, "form": {}}
    context = template_context(document, bundle, "installation", links=PLACEHOLDER_LINKS)
    assert set(context["links"]) == {"case", "status_page"}
    for links in ({"case": "c"}, {**PLACEHOLDER_LINKS, "approval": "a"}):
        with pytest.raises(ValueError, match="templates are given the links status_page, case"):
            template_context(document, bundle, "installation", links=links)
