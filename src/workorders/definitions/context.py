"""Shared state for the semantic checks: the model, the raw data, the collector and
cached lookups (fact types per case type, ids per section)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .facts import FactType, fact_types
from .model import Bundle
from .problems import Collector
from .templates import Vocabulary


@dataclass
class Context:
    bundle: Bundle
    data: Mapping[str, Any]
    out: Collector
    #: the tenant's secret names, when validating for a tenant (None: not known)
    secret_names: frozenset[str] | None = None
    _facts: dict[str, Mapping[str, FactType]] = field(default_factory=dict)
    _vocab: dict[tuple[tuple[str, ...], ...], Vocabulary] = field(
        default_factory=dict)

    def facts(self, case_type_id: str) -> Mapping[str, FactType]:
        if case_type_id not in self._facts:
            self._facts[case_type_id] = fact_types(self.bundle, case_type_id)
        return self._facts[case_type_id]

    def vocabulary(self, case_type_ids: Iterable[str], extras: Iterable[str],
                   exclude: tuple[str, ...] = ()) -> Vocabulary:
        """Template names for these case types: their facts (less ``exclude`` prefixes)
        plus ``extras`` (what that kind of template is given when it runs: rule and
        notification templates ``TEMPLATE_EXTRAS``, connector options ``INVOICE_EXTRAS``)."""
        key = (tuple(case_type_ids), tuple(extras), exclude)
        if key not in self._vocab:
            paths: set[str] = set(extras)
            objects: set[str] = set()
            for case_type_id in key[0]:
                for path, fact in self.facts(case_type_id).items():
                    if exclude and path.startswith(exclude):
                        continue
                    paths.add(path)
                    if fact.kind == "object":
                        objects.add(path)
            self._vocab[key] = Vocabulary(paths, objects)
        return self._vocab[key]

    def case_type_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.bundle.case_types)

    def form_ids(self) -> set[str]:
        return {f.id for f in self.bundle.forms}

    def template_ids(self) -> set[str]:
        """The bundle's templates and the built-in ones (``notice_defaults``)."""
        from .notice_defaults import BUILT_IN_TEMPLATES

        return set(self.bundle.notifications.templates) | set(BUILT_IN_TEMPLATES)


def report_duplicates(out: Collector, items: Iterable[tuple[str, str]], what: str) -> None:
    """Error on every repeat of a name; ``items`` are (name, pointer to the name)."""
    first: dict[str, str] = {}
    for name, path in items:
        if name in first:
            out.error(path, f"duplicate {what} '{name}'",
                      f"the first one is at {first[name]}; names must be unique")
        else:
            first[name] = path
