"""Pointers in words for the forms package's callers: ``pointer_words`` lives in
``workorders.definitions.field_words`` (the rules' traces name rows with the same
labels, and the rules may not import the forms package)."""

from __future__ import annotations

from workorders.definitions.field_words import PART_LABELS, pointer_words, with_place

__all__ = ["PART_LABELS", "pointer_words", "with_place"]
