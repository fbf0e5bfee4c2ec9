"""Pointers in words (issue 15, "Words, not ids"): one function names a place in
the submitted data by the definition's labels, never as the raw pointer."""

from __future__ import annotations

import re

import pytest

from workorders.definitions import Bundle
from workorders.forms.words import pointer_words, with_place

from .conftest import EXAMPLES, load

POINTER = re.compile(r"/[a-z_]+(/\d+)?")


@pytest.fixture(scope="module")
def nordvarme() -> Bundle:
    return load(next(p for p in EXAMPLES if p.stem.startswith("nordvarme")).read_bytes())


@pytest.mark.parametrize(("path", "words"), [
    ("/time/0/hours", "Time, row 1: Hours"),
    ("/data/time/2/start", "Time, row 3: Start"),
    ("/materials/1/unit_price", "Material, row 2: Unit price"),
    ("/materials/0", "Material, row 1"),
    ("/customer_signature/name", "Customer signature: Name"),
    ("/customer_signature/image", "Customer signature: Signature"),
    ("/work_description", "Work performed"),
    ("/installed_heat_pump", "A heat pump was installed"),
    ("/photos/1", "Photos of the installation, item 2"),
    ("", "The form"),
])
def test_a_pointer_reads_as_the_forms_labels(nordvarme: Bundle, path: str, words: str) -> None:
    form = nordvarme.form("installation_report")
    assert form is not None
    assert pointer_words(path, form) == words


@pytest.mark.parametrize(("path", "words"), [
    ("/old_field/1/hours", "Old field, row 2: Hours"),
    ("/data/gone", "Gone"),
    ("/customer/email", "Customer email"),
    ("/site/postal_code", "Site postal code"),
    ("/scheduled_start", "Scheduled start"),
    ("/roles/1", "Roles, item 2"),
])
def test_an_unknown_pointer_still_reads_as_words(nordvarme: Bundle, path: str,
                                                 words: str) -> None:
    text = pointer_words(path, nordvarme.form("installation_report"))
    assert text == words
    assert not POINTER.search(text) and "_" not in text


def test_case_fields_are_named_by_the_case_types_labels(nordvarme: Bundle) -> None:
    case_type = nordvarme.case_types[0]
    field = case_type.fields[0]
    assert pointer_words(f"/fields/{field.id}", None, case_type.fields) == field.label


def test_with_place_puts_the_words_before_the_message(nordvarme: Bundle) -> None:
    form = nordvarme.form("installation_report")
    assert with_place("/data/time/0/hours", "Must be at most 24.", form) == \
        "Time, row 1: Hours — Must be at most 24."
    assert with_place("", "The form has errors.", form) == "The form has errors."
    assert with_place("/time/0/hours", "Time, row 1: Hours — x", form) == \
        "Time, row 1: Hours — x"
