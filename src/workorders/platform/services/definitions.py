"""Definition versions: validate, store drafts, publish, compare.

Only a bundle that validates is stored, with its source text exactly as given.
Publishing re-validates (the validator may have learned new checks since the
draft was stored), retires the previously published version and makes this one
current for new cases; a published version is never modified.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from workorders.definitions import Bundle, LoadResult, diff_bundles, load_bundle
from workorders.definitions.check_budget import check_budget
from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.platform.config import settings_of
from workorders.platform.database import lock_tenant
from workorders.platform.extensions import db
from workorders.platform.models import DefinitionVersion, VersionStatus
from workorders.platform.models.types import utcnow
from workorders.platform.services.unit_of_work import transaction
from workorders.rules.registry import Lru

#: audit events about a version form one chain per version number
AUDIT_SUBJECT = "definition"


def checks_budget(scale: float = 1.0) -> AbstractContextManager[None]:
    """The time a bundle's own checks (its templates, golden tests, a simulation) may
    take; past it they stop with CheckBudgetExceeded, a 422 (the bundle is at fault).
    ``scale`` widens it for work that grows with the data, e.g. a long simulation."""
    from flask import current_app

    return check_budget(settings_of(current_app).check_budget_seconds
                        * scale)


def check_bundle(source: str | bytes, filename: str | None = None, *,
                 tenant_id: int | None = None) -> LoadResult:
    """Validate; for a tenant, a secret the bundle names but the tenant has not set
    is reported as a warning (the draft may still be stored and published)."""
    from workorders.platform.services.tenant_secrets import secret_names

    names = secret_names(tenant_id) if tenant_id is not None else None
    return load_bundle(source, filename=filename, secret_names=names)


def golden_results(result: LoadResult) -> list[dict[str, Any]]:
    """The bundle's golden tests (none when invalid), on the Python evaluator.

    A bundle being validated or published is not live: durable-rules rulesets
    made for it would stay in the C heap (~8 MB per 500 rules), one set per
    bundle ever checked. The evaluator decides exactly as durable-rules does
    (docs/rules-engine.md, "Golden tests run on the evaluator").
    """
    from workorders.golden import run_golden_tests

    if result.bundle is None:
        return []
    return [{"name": r.name, "passed": r.passed, "failures": list(r.failures)}
            for r in run_golden_tests(result.bundle, engine="python")]


def problems_of(result: LoadResult) -> list[dict[str, Any]]:
    return [p.to_dict() for p in result.errors]


class GoldenTestsFailed(Conflict):
    """Publishing is refused while a golden test fails (409, with every failure)."""

    def __init__(self, number: int, failed: list[dict[str, Any]]) -> None:
        first = failed[0]
        example = first["failures"][0] if first["failures"] else first["name"]
        super().__init__(f"version {number} is not published: {len(failed)} golden test(s) "
                         f"failed, e.g. {example}")
        self.extra = {"tests": failed}


def create_draft(tenant_id: int, source: str | bytes, author: str, *,
                 filename: str | None = None) -> DefinitionVersion:
    with checks_budget():
        result = check_bundle(source, filename, tenant_id=tenant_id)
    if not result.valid or result.normalized is None:
        raise ValidationFailed(f"the bundle has {len(result.errors)} error(s); nothing was stored",
                               problems_of(result))
    text = source.decode("utf-8") if isinstance(source, bytes) else source
    with transaction() as session:
        version = new_version(session, tenant_id, text, result, author, filename=filename)
    return version


def new_version(session: Session, tenant_id: int, text: str, result: LoadResult, author: str,
                *, filename: str | None = None, based_on: str = "",
                working_text: str | None = None) -> DefinitionVersion:
    """Add the tenant's next draft inside the caller's transaction, from ``text``
    that ``result`` found valid (or, with ``working_text``, from the last valid text
    while the draft's current text does not validate), and audit its creation."""
    from workorders.platform.services.audit import record_event

    assert result.normalized is not None
    lock_tenant(tenant_id)  # version numbers are gap-free per tenant; one audit chain
    last = session.execute(select(func.max(DefinitionVersion.number)).where(
        DefinitionVersion.tenant_id == tenant_id)).scalar_one()
    version = DefinitionVersion(
        tenant_id=tenant_id, number=(last or 0) + 1, status=VersionStatus.DRAFT.value,
        source_text=text, source_format="json" if looks_json(text, filename) else "yaml",
        normalized=result.normalized, content_hash=result.content_hash,
        name=str(result.normalized.get("name", "")),
        warnings=[w.to_dict() for w in result.warnings], author=author, revision=1,
        working_text=working_text, based_on=based_on)
    session.add(version)
    session.flush()
    record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                 subject_id=version.number, actor=author, action="definition.draft_created",
                 after={"name": version.name, "based_on": based_on,
                        "content_hash": version.content_hash,
                        "valid": working_text is None})
    return version


def looks_json(text: str, filename: str | None) -> bool:
    return (filename or "").endswith(".json") or text.lstrip().startswith("{")


def get_version(tenant_id: int, number: int, *, lock: bool = False) -> DefinitionVersion:
    stmt = select(DefinitionVersion).where(DefinitionVersion.tenant_id == tenant_id,
                                           DefinitionVersion.number == number)
    if lock:
        stmt = stmt.with_for_update()
    version = db.session.execute(stmt).scalar_one_or_none()
    if version is None:
        raise NotFound(f"definition version {number} not found")
    return version


def list_versions(tenant_id: int) -> list[DefinitionVersion]:
    return list(db.session.execute(select(DefinitionVersion).where(
        DefinitionVersion.tenant_id == tenant_id).order_by(DefinitionVersion.number)).scalars())


#: built once: every booking runs it (``cases`` adds the booking's assignee to it)
CURRENT_VERSION = select(DefinitionVersion).where(
    DefinitionVersion.tenant_id == bindparam("tenant_id"),
    DefinitionVersion.status == VersionStatus.PUBLISHED.value)


def current_version(tenant_id: int) -> DefinitionVersion | None:
    return db.session.execute(CURRENT_VERSION, {"tenant_id": tenant_id}).scalar_one_or_none()


def publish_refusal(version: DefinitionVersion, *, errors: list[str] | None = None,
                    tests: list[dict[str, Any]] | None = None) -> Conflict | None:
    """Why ``version`` cannot be published, or None: the one wording of each refusal,
    raised by ``publish_version`` (API, CLI) and shown by the publish page before the
    admin presses the button. ``errors`` and ``tests`` are its current checks' messages
    and golden results, when they have been run."""
    number = version.number
    if version.status != VersionStatus.DRAFT.value:
        return Conflict(f"version {number} is {version.status}; only a draft can be "
                        "published (start a new draft from it instead)")
    if version.has_unsaved_errors:
        return Conflict(f"version {number} has unsaved changes that do not validate; fix "
                        "them (or undo them) and save before publishing")
    if errors:
        return Conflict(f"version {number} no longer validates: {errors[0]}")
    failed = [t for t in tests or [] if not t["passed"]]
    if failed:
        return GoldenTestsFailed(number, failed)
    return None


def publish_version(tenant_id: int, number: int, actor: str,
                    comment: str | None = None) -> DefinitionVersion:
    """Make draft ``number`` current for new cases, retiring the published one.

    ``comment`` says why (kept on the version and in the audit trail). A draft
    holding autosaved text that does not validate is refused: what would be
    published is not what its editor shows."""
    from workorders.platform.services.audit import record_event

    comment = publish_comment(comment)
    with transaction() as session:
        lock_tenant(tenant_id)  # two publishes at once must not leave two current versions
        version = get_version(tenant_id, number)
        blocker = publish_refusal(version)
        if blocker is not None:
            raise blocker
        with checks_budget():
            result = check_bundle(version.source_text, tenant_id=tenant_id)
            blocker = publish_refusal(version, errors=[p.message for p in result.errors],
                                      tests=golden_results(result) if result.valid else [])
        if blocker is not None:
            raise blocker
        previous = current_version(tenant_id)
        now = utcnow()
        if previous is not None:
            previous.status = VersionStatus.RETIRED.value
            previous.retired_at = now
            db.session.flush()  # one published version per tenant, at every instant
            record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                         subject_id=previous.number, actor=actor, action="definition.retired",
                         before={"status": VersionStatus.PUBLISHED.value},
                         after={"status": VersionStatus.RETIRED.value,
                                "replaced_by": number})
        version.status = VersionStatus.PUBLISHED.value
        version.warnings = [w.to_dict() for w in result.warnings]  # as of publishing
        version.published_at = now
        version.published_by = actor
        version.publish_comment = comment
        record_event(session, tenant_id=tenant_id, subject_type=AUDIT_SUBJECT,
                     subject_id=number, actor=actor, action="definition.published",
                     before={"status": VersionStatus.DRAFT.value},
                     after={"status": VersionStatus.PUBLISHED.value,
                            "content_hash": version.content_hash,
                            "replaces": previous.number if previous is not None else None,
                            "comment": comment},
                     comment=comment)
    return version


#: a publish comment is a sentence or a short paragraph, not a document
MAX_COMMENT = 2000


def publish_comment(comment: str | None) -> str | None:
    """``comment`` trimmed (None when blank); too long or holding NUL characters is
    refused before anything is written."""
    text = (comment or "").strip()
    if not text:
        return None
    if len(text) > MAX_COMMENT:
        raise ValidationFailed(f"the comment is {len(text)} characters long; at most "
                               f"{MAX_COMMENT} are kept", [{"path": "/comment",
                                                            "message": "too long"}])
    if "\x00" in text:
        raise ValidationFailed("the comment holds a NUL character",
                               [{"path": "/comment", "message": "holds a NUL character"}])
    return text


def diff_versions(tenant_id: int, a: int, b: int) -> dict[str, Any]:
    old, new = get_version(tenant_id, a), get_version(tenant_id, b)
    return {"from": a, "to": b, "sections": diff_bundles(old.normalized, new.normalized)}


#: parsed versions a process keeps (a 500-rule bundle's model is about 1 MB); the
#: least recently used is parsed again when needed
PARSED_BUNDLES = 256
_BUNDLES: Lru[str, Bundle] = Lru()


def bundle_of(version: DefinitionVersion) -> Bundle:
    """The frozen model of a stored version, parsed once while it is in use
    (versions are immutable once published, and keyed by content hash anyway)."""
    bundle = _BUNDLES.get(version.content_hash)
    if bundle is None:
        result = load_bundle(version.source_text)
        if result.bundle is None:
            raise Conflict(f"definition version {version.number} no longer validates")
        bundle = result.bundle
        _BUNDLES.put(version.content_hash, bundle, PARSED_BUNDLES)
    return bundle
