"""Property: the API path and the browser path accept and reject the same data,
with the same errors at the same JSON pointers, and the same draft warnings."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from workorders.definitions import Bundle
from workorders.definitions.model import Form
from workorders.forms import (
    build_form_class,
    data_from_wtforms,
    encode_formdata,
    form_errors_to_paths,
    form_warnings,
    validate_submission,
)

from .conftest import EXAMPLES, load
from .strategies import generated_form, submission

BUNDLES = [load(p.read_bytes()) for p in EXAMPLES]
EXAMPLE_FORMS = [(b, f.id) for b in range(len(BUNDLES)) for f in BUNDLES[b].forms]
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def both_paths(form: Form, bundle: Bundle, data: dict[str, Any], draft: bool) -> None:
    api = validate_submission(form, bundle, data, draft=draft)
    browser = build_form_class(form, bundle)(encode_formdata(form, data), draft=draft)
    accepted = browser.validate()
    event("accepted" if api.valid else "rejected")
    assert accepted == api.valid, (api.errors, form_errors_to_paths(browser))
    assert set(form_errors_to_paths(browser)) == set(api.errors)
    assert set(form_warnings(browser)) == set(api.warnings)
    if api.valid:
        again = validate_submission(form, bundle, data_from_wtforms(browser), draft=draft)
        assert again.cleaned == api.cleaned


@SETTINGS
@given(data=st.data(), which=st.sampled_from(EXAMPLE_FORMS), draft=st.booleans())
def test_example_forms_agree(data: st.DataObject, which: tuple[int, str], draft: bool) -> None:
    bundle = BUNDLES[which[0]]
    form = bundle.form(which[1])
    assert form is not None
    both_paths(form, bundle, data.draw(submission(form, bundle)), draft)


@SETTINGS
@given(data=st.data(), which=st.sampled_from(range(len(BUNDLES))), draft=st.booleans())
def test_generated_forms_agree(data: st.DataObject, which: int, draft: bool) -> None:
    bundle = BUNDLES[which]
    form = data.draw(generated_form(bundle))
    both_paths(form, bundle, data.draw(submission(form, bundle)), draft)


def test_the_comparison_can_fail(nordvarme: Bundle) -> None:
    """A browser error the API does not report must break the comparison."""
    form = nordvarme.form("installation_report")
    assert form is not None
    browser = build_form_class(form, nordvarme)(encode_formdata(form, {"photos": ["p1"]}))
    browser.validate()
    browser._fields["f_photos"].errors.append("extra")
    api = validate_submission(form, nordvarme, {"photos": ["p1"]}, draft=False)
    assert set(form_errors_to_paths(browser)) != set(api.errors)
