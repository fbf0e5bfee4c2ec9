"""Editing drafts in place: save with an ETag, start from a version or an example,
retire, and what a publish would change.

A draft's text may not validate while an admin is typing; autosave must still
keep it. So a draft holds two texts: ``source_text`` (with ``normalized`` and
``content_hash``) is always the last text that validated, and ``working_text`` is
the current text when it does not. A version's stored bundle is therefore always
valid, and publishing refuses a draft whose current text is not (see
docs/definitions.md, "Drafts, versions and publishing").

Every save names the revision it changes (``If-Match: "r<revision>"``): two admins
editing one draft get 412 instead of silently overwriting each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from workorders.definitions import MAX_BUNDLE_BYTES, LoadResult, diff_bundles
from workorders.definitions.diff_words import change_sentences
from workorders.definitions.model import Bundle, CaseType, State
from workorders.definitions.yaml_reader import read_yaml
from workorders.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from workorders.platform.database import lock_tenant
from workorders.platform.extensions import db
from workorders.platform.models import Case, DefinitionVersion, VersionStatus
from workorders.platform.models.types import utcnow
from workorders.platform.services.audit import record_event
from workorders.platform.services.definitions import (
    AUDIT_SUBJECT,
    bundle_of,
    check_bundle,
    checks_budget,
    current_version,
    get_version,
    golden_results,
    looks_json,
    new_version,
    problems_of,
)
from workorders.platform.services.unit_of_work import transaction

#: If-Match ``*``: the client deliberately overwrites whatever revision is current
ANY_REVISION = -1
_TAG = re.compile(r'(?:W/)?"r([0-9]{1,18})"')


def etag_of(version: DefinitionVersion) -> str:
    """The quoted ETag of a version's current text: ``"r<revision>"``."""
    return f'"r{version.revision}"'


def editor_text(version: DefinitionVersion) -> str:
    """What an editor shows: the unsaved text that does not validate, else the
    stored (valid) source."""
    return version.working_text if version.working_text is not None else version.source_text


def _revisions_named(if_match: str | None, number: int) -> set[int]:
    """The revisions ``If-Match`` names; ``{ANY_REVISION}`` for ``*``; an empty set
    (so 412) for tags this API never gave out. Without the header: 428."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            f"say which revision of version {number} this save changes (If-Match with the "
            "ETag the draft was read with); without it a save could overwrite another "
            "admin's changes")
    if if_match.strip() == "*":
        return {ANY_REVISION}
    return {int(m.group(1)) for part in if_match.split(",")
            if (m := _TAG.fullmatch(part.strip()))}


def _stale(version: DefinitionVersion, named: set[int]) -> PreconditionFailed | None:
    if ANY_REVISION in named or version.revision in named:
        return None
    return PreconditionFailed(
        f"version {version.number} was saved since you loaded it (it is now at revision "
        f"{version.revision}); reload it, then make your change again")


def _require_draft(version: DefinitionVersion) -> None:
    if version.status != VersionStatus.DRAFT.value:
        raise Conflict(f"version {version.number} is {version.status}; only a draft can be "
                       "changed (start a new draft from it instead)")


def check_text(text: str) -> None:
    """Refuse text that can never be stored (before anything is written): over the
    bundle size limit, or holding characters a database column cannot keep."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise ValidationFailed("the text holds a character that is not valid Unicode "
                               f"(at position {exc.start}); nothing was saved",
                               [{"path": "", "message": "not valid Unicode"}]) from exc
    if size > MAX_BUNDLE_BYTES:
        raise ValidationFailed(
            f"the text is {size / 1024 / 1024:.1f} MiB; a bundle may be at most "
            f"{MAX_BUNDLE_BYTES // 1024 // 1024} MiB, so nothing was saved",
            [{"path": "", "message": "too large"}])
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValidationFailed(f"the text holds a NUL character on line {line}; nothing was "
                               "saved", [{"path": "", "line": line, "message": "NUL character"}])


@dataclass(frozen=True)
class DraftSave:
    """The outcome of one save: the version as stored now and the text's checks."""

    version: DefinitionVersion
    valid: bool
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    #: False when the text was what the draft already held (nothing was written)
    saved: bool = True


def save_draft(tenant_id: int, number: int, text: str, actor_email: str, *,
               if_match: str | None) -> DraftSave:
    """Save ``text`` as draft ``number``'s current text.

    Valid text replaces the stored bundle and clears any working text; invalid
    text is kept as working text. Either bumps the revision and is audited. The
    same text again (with a matching If-Match) writes nothing."""
    early = get_version(tenant_id, number)  # 404 / 409 / 428 / 412 before the checks' cost
    _require_draft(early)
    named = _revisions_named(if_match, number)
    if (stale := _stale(early, named)) is not None:
        raise stale
    check_text(text)
    with checks_budget():
        result = check_bundle(text, tenant_id=tenant_id)
    errors, warnings = problems_of(result), [w.to_dict() for w in result.warnings]
    valid = result.valid and result.normalized is not None
    with transaction() as session:
        lock_tenant(tenant_id)  # saves of a tenant's drafts queue here; one audit chain
        db.session.expire(early)
        version = get_version(tenant_id, number)
        _require_draft(version)
        if (stale := _stale(version, named)) is not None:
            raise stale
        if text == editor_text(version):
            return DraftSave(version, valid, errors, warnings, saved=False)
        before = {"revision": version.revision, "content_hash": version.content_hash,
                  "valid": version.working_text is None}
        if valid:
            _store_valid(version, text, result)
        else:
            version.working_text = text
        version.revision += 1
        record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                     subject_id=number, actor=actor_email, action="definition.draft_saved",
                     before=before,
                     after={"revision": version.revision, "content_hash": version.content_hash,
                            "valid": valid, "errors": len(errors)})
    return DraftSave(version, valid, errors, warnings)


def _store_valid(version: DefinitionVersion, text: str, result: LoadResult) -> None:
    assert result.normalized is not None
    version.source_text = text
    version.source_format = "json" if looks_json(text, None) else "yaml"
    version.normalized = result.normalized
    version.content_hash = result.content_hash
    version.name = str(result.normalized.get("name", ""))
    version.warnings = [w.to_dict() for w in result.warnings]
    version.working_text = None


@dataclass(frozen=True)
class ExampleBundle:
    """One of the repository's example bundles, offered as a starting point."""

    name: str
    title: str
    filename: str
    #: the file's opening comment: who the example tenant is
    summary: str


def _examples_dir() -> Path:
    from workorders.platform.demo import bundles_dir

    return bundles_dir()


def example_bundles() -> list[ExampleBundle]:
    """The example bundles in ``definitions/*.yaml``, by name."""
    found = []
    folder = _examples_dir()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        data, _positions = read_yaml(text)
        summary = " ".join(line.lstrip("# ").strip() for line in
                           _leading_comment(text.splitlines()))
        title = str(data.get("name") or path.stem) if isinstance(data, dict) else path.stem
        found.append(ExampleBundle(name=path.stem, title=title, filename=path.name,
                                   summary=summary))
    return found


def _leading_comment(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def example_text(name: str) -> tuple[ExampleBundle, str]:
    """An example's demo edition (connectors write files, no webhooks: a draft made
    from it can be tried without reaching anyone's ERP); NotFound for an unknown name."""
    from workorders.platform.demo_bundles import demo_edition

    example = next((e for e in example_bundles() if e.name == name), None)
    if example is None:
        raise NotFound(f"there is no example bundle named '{name}'")
    source = (_examples_dir() / example.filename).read_bytes()
    return example, demo_edition(source, example.filename).decode("utf-8")


def start_draft(tenant_id: int, actor_email: str, *, from_version: int | None = None,
                from_example: str | None = None) -> DefinitionVersion:
    """A new draft holding a copy of version ``from_version``'s stored text, or of
    example ``from_example``. A version that no longer validates (the validator
    learned new checks since) still gives a draft: its text becomes the working
    text, to be fixed in the editor, over the version's stored bundle."""
    if (from_version is None) == (from_example is None):
        raise ValidationFailed("start a draft from either a version or an example bundle",
                               [{"path": "", "message": "name one source"}])
    origin: DefinitionVersion | None = None
    if from_version is not None:
        origin = get_version(tenant_id, from_version)
        text, based_on = origin.source_text, f"version {from_version}"
    else:
        example, text = example_text(str(from_example))
        based_on = f"example {example.filename}"
    with checks_budget():
        result = check_bundle(text, tenant_id=tenant_id)
    working: str | None = None
    if not result.valid or result.normalized is None:
        if origin is None:
            raise ValidationFailed(f"the example {from_example} does not validate; nothing "
                                   "was stored", problems_of(result))
        working = text
        result = LoadResult(bundle=None, errors=(), warnings=(),
                            normalized=origin.normalized, content_hash=origin.content_hash)
    with transaction() as session:
        version = new_version(session, tenant_id, text, result, actor_email,
                              filename=None, based_on=based_on, working_text=working)
    return version


@dataclass(frozen=True)
class CaseGroup:
    """How many of the tenant's cases of one version and case type are in one state,
    read against that version's own lifecycle (``case_type``/``state`` are None when
    the version no longer parses or lacks them: such cases count as open)."""

    version: DefinitionVersion
    case_type_id: str
    case_type: CaseType | None
    status: str
    state: State | None
    count: int

    @property
    def open(self) -> bool:
        return self.state is None or not self.state.final


def bundle_or_none(version: DefinitionVersion) -> Bundle | None:
    """The version's model, or None for a version the validator now refuses (its
    cases still count and show, under their stored state ids)."""
    try:
        return bundle_of(version)
    except Conflict:
        return None


def case_groups(tenant_id: int, *, except_version_id: int | None = None) -> list[CaseGroup]:
    """The tenant's cases grouped by version, case type and state: one grouped query,
    one parse per version in use; the one place that decides which cases are open."""
    stmt = (select(Case.definition_version_id, Case.case_type, Case.status, func.count())
            .where(Case.tenant_id == tenant_id)
            .group_by(Case.definition_version_id, Case.case_type, Case.status))
    if except_version_id is not None:
        stmt = stmt.where(Case.definition_version_id != except_version_id)
    rows = db.session.execute(stmt).all()
    versions = {v.id: v for v in db.session.execute(select(DefinitionVersion).where(
        DefinitionVersion.id.in_({r[0] for r in rows}))).scalars()} if rows else {}
    bundles = {version_id: bundle_or_none(version) for version_id, version in versions.items()}
    groups = []
    for version_id, case_type_id, status, count in rows:
        bundle = bundles[version_id]
        case_type = bundle.case_type(case_type_id) if bundle is not None else None
        state = case_type.lifecycle.state(status) if case_type is not None else None
        groups.append(CaseGroup(versions[version_id], case_type_id, case_type, status, state,
                                count))
    return groups


def cases_by_version(tenant_id: int) -> dict[int, dict[str, int]]:
    """``{version number: {"open": n, "total": n}}`` for every version a case of the
    tenant is pinned to; a case is open until it reaches a final state of its
    version's lifecycle."""
    counts: dict[int, dict[str, int]] = {}
    for group in case_groups(tenant_id):
        entry = counts.setdefault(group.version.number, {"open": 0, "total": 0})
        entry["total"] += group.count
        if group.open:
            entry["open"] += group.count
    return counts


def retire_version(tenant_id: int, number: int, actor_email: str) -> DefinitionVersion:
    """Retire a draft nobody will publish (it stays readable, numbered and audited).

    The published version is refused (new cases start on it: publishing another
    retires it), and so is any version a case is pinned to, and one already retired."""
    with transaction() as session:
        lock_tenant(tenant_id)  # against a publish of the same draft; one audit chain
        version = get_version(tenant_id, number)
        if version.status == VersionStatus.PUBLISHED.value:
            raise Conflict(f"version {number} is the published version: new cases start on "
                           "it. Publish another version instead; that retires this one")
        in_use = db.session.execute(select(func.count()).select_from(Case).where(
            Case.tenant_id == tenant_id, Case.definition_version_id == version.id)).scalar_one()
        if in_use:
            raise Conflict(f"version {number} cannot be retired: {in_use} case(s) use it")
        if version.status == VersionStatus.RETIRED.value:
            raise Conflict(f"version {number} is already retired")
        before = {"status": version.status}
        version.status = VersionStatus.RETIRED.value
        version.retired_at = utcnow()
        record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                     subject_id=number, actor=actor_email, action="definition.retired",
                     before=before, after={"status": VersionStatus.RETIRED.value})
    return version


def publish_summary(tenant_id: int, number: int) -> dict[str, Any]:
    """What publishing version ``number`` would do, for the confirmation an admin
    reads first: whether it validates (its current text, as the editor shows it),
    its golden tests, what changes against the published version (structured and
    in sentences) and how many open cases stay on the published version."""
    version = get_version(tenant_id, number)
    with checks_budget():
        result = check_bundle(editor_text(version), tenant_id=tenant_id)
        tests = golden_results(result)
    published = current_version(tenant_id)
    new = result.normalized if result.valid and result.normalized is not None \
        else version.normalized
    diff = diff_bundles(published.normalized if published is not None else {}, new)
    counts = cases_by_version(tenant_id)
    on_published = counts.get(published.number, {}) if published is not None else {}
    return {
        "version": number, "status": version.status, "valid": result.valid,
        "errors": problems_of(result), "warnings": [w.to_dict() for w in result.warnings],
        "diff": diff, "changes": change_sentences(diff), "tests": tests,
        "tests_passed": result.valid and all(t["passed"] for t in tests),
        "published_version": published.number if published is not None else None,
        "open_cases_on_published": on_published.get("open", 0),
        "open_cases_total": sum(c["open"] for c in counts.values()),
    }
