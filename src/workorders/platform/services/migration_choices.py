"""What the admin chooses from when moving open cases to the published version.

The migration page offers only what can be chosen sensibly: the older versions
that still have open cases (with how many), each state those cases are in
(with its label, how many cases and the new version's open states to map it
to, the same id preselected when the new version still has it), and the case
fields of those versions that the new version lacks (to rename or drop).
Final states of the new version are not offered: the planner refuses them
(a migration does not close cases). One grouped query and one parse per
version in use: ``definition_drafts.case_groups``, which also counts the open
cases of each version for the version list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workorders.definitions.model import Bundle, CaseType
from workorders.platform.models import DefinitionVersion
from workorders.platform.services.definition_drafts import bundle_or_none, case_groups
from workorders.platform.services.definitions import bundle_of, get_version


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class OldState:
    """A state open cases of older versions are in, and where it may go."""

    id: str
    label: str
    cases: int
    case_types: tuple[str, ...]
    #: the new version's open states of those case types
    options: tuple[Option, ...]
    #: the same id when the new version has it as an open state, else "" (choose)
    default: str


@dataclass(frozen=True)
class MissingField:
    """A case field of an older version that the new version does not have."""

    id: str
    label: str
    case_types: tuple[str, ...]
    #: the new version's case fields of those case types
    options: tuple[Option, ...]


@dataclass(frozen=True)
class SourceVersion:
    number: int
    name: str
    open_cases: int


@dataclass(frozen=True)
class Choices:
    number: int
    bundle: Bundle
    versions: tuple[SourceVersion, ...]
    case_types: tuple[Option, ...]
    states: tuple[OldState, ...]
    fields: tuple[MissingField, ...]

    @property
    def open_cases(self) -> int:
        return sum(v.open_cases for v in self.versions)


def _open_states(bundle: Bundle, new_types: list[CaseType]) -> tuple[Option, ...]:
    seen: dict[str, Option] = {}
    for case_type in new_types or list(bundle.case_types):
        for state in case_type.lifecycle.states:
            if not state.final and state.id not in seen:
                seen[state.id] = Option(state.id, state.label)
    return tuple(seen.values())


def migration_choices(tenant_id: int, number: int) -> Choices:
    """The choices for moving open cases to version ``number`` (404 when unknown)."""
    target = get_version(tenant_id, number)
    bundle = bundle_of(target)
    per_version: dict[int, int] = {}
    states: dict[str, dict[str, Any]] = {}
    fields: dict[str, dict[str, Any]] = {}
    versions: dict[int, DefinitionVersion] = {}
    for group in case_groups(tenant_id, except_version_id=target.id):
        if not group.open:
            continue
        case_type_id, old_type, state = group.case_type_id, group.case_type, group.state
        versions[group.version.id] = group.version
        number_of = group.version.number
        per_version[number_of] = per_version.get(number_of, 0) + group.count
        entry = states.setdefault(group.status, {"label": state.label if state else group.status,
                                                 "cases": 0, "types": []})
        entry["cases"] += group.count
        if case_type_id not in entry["types"]:
            entry["types"].append(case_type_id)
        new_type = bundle.case_type(case_type_id)
        for f in old_type.fields if old_type is not None else ():
            if new_type is None or new_type.field(f.id) is None:
                gap = fields.setdefault(f.id, {"label": f.label, "types": []})
                if case_type_id not in gap["types"]:
                    gap["types"].append(case_type_id)
    by_number = {v.number: v for v in versions.values()}
    return Choices(
        number=number, bundle=bundle,
        versions=tuple(SourceVersion(n, by_number[n].name, per_version[n])
                       for n in sorted(per_version)),
        case_types=tuple(Option(c.id, c.name) for c in bundle.case_types),
        states=tuple(_old_state(bundle, state_id, entry)
                     for state_id, entry in sorted(states.items(),
                                                   key=lambda kv: kv[1]["label"].lower())),
        fields=tuple(_missing_field(bundle, field_id, entry)
                     for field_id, entry in sorted(fields.items())))


def _new_types(bundle: Bundle, type_ids: list[str]) -> list[CaseType]:
    return [t for t in (bundle.case_type(i) for i in type_ids) if t is not None]


def _old_state(bundle: Bundle, state_id: str, entry: dict[str, Any]) -> OldState:
    options = _open_states(bundle, _new_types(bundle, entry["types"]))
    default = state_id if any(o.value == state_id for o in options) else ""
    return OldState(id=state_id, label=entry["label"], cases=entry["cases"],
                    case_types=tuple(entry["types"]), options=options, default=default)


def _missing_field(bundle: Bundle, field_id: str, entry: dict[str, Any]) -> MissingField:
    options: dict[str, Option] = {}
    for case_type in _new_types(bundle, entry["types"]) or list(bundle.case_types):
        for f in case_type.fields:
            options.setdefault(f.id, Option(f.id, f.label))
    return MissingField(id=field_id, label=entry["label"], case_types=tuple(entry["types"]),
                        options=tuple(options.values()))


def state_labels(tenant_id: int, numbers: Iterable[int]) -> dict[int, dict[str, str]]:
    """Per version number (of ``numbers``), its states' labels by id: reports carry
    state ids, people read labels."""
    from workorders.platform.services.definitions import list_versions

    wanted = set(numbers)
    labels: dict[int, dict[str, str]] = {}
    for version in list_versions(tenant_id):
        if version.number not in wanted:
            continue
        bundle = bundle_or_none(version)
        labels[version.number] = {s.id: s.label for t in (bundle.case_types if bundle else ())
                                  for s in t.lifecycle.states}
    return labels
