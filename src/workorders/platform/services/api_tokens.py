"""A tenant's API tokens: issue one for a member, list them, revoke one.

One service for the three ways in (the tokens page, ``/api/v1/tokens`` and the
operator's ``workorders tokens``), so the rules and the audit trail are the same
whichever was used. A token's text is answered once, by :func:`issue_token`, and
never stored: the table keeps its SHA-256 and its first characters (the prefix,
which is how people recognise a token in a list). Each token has its own audit
chain (subject ``token``, id the token's id): ``token.created`` and
``token.revoked`` with the label, prefix and owner, never the text.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workorders.errors import NotFound, ValidationFailed
from workorders.platform.auth import hash_token, new_token
from workorders.platform.database import lock_tenant
from workorders.platform.extensions import db
from workorders.platform.models import ApiToken, Membership, User
from workorders.platform.models.types import utcnow
from workorders.platform.services.accounts import member_by_email
from workorders.platform.services.audit import record_event
from workorders.platform.services.unit_of_work import transaction

LABEL_MAX = 100  # the column's length
PREFIX_LENGTH = 10  # "wo_" and 7 random characters: enough to tell tokens apart
TOKEN_SUBJECT = "token"


def check_label(label: str) -> str:
    """What a token is for, so whoever revokes it later knows what stops working."""
    label = label.strip()
    if not label:
        raise ValidationFailed("give the token a label that says what it is for, e.g. "
                               "'booking system'", [{"path": "/label", "message": "empty"}])
    if len(label) > LABEL_MAX:
        raise ValidationFailed(f"the label is longer than {LABEL_MAX} characters",
                               [{"path": "/label", "message": "too long"}])
    if any(not c.isprintable() for c in label):
        raise ValidationFailed("the label contains a line break or another control character",
                               [{"path": "/label", "message": "control character"}])
    return label


def issue_token(tenant_id: int, owner_email: str, label: str, *,
                actor: str) -> tuple[ApiToken, str]:
    """A new token acting as the member ``owner_email`` in this tenant; answers the row
    and the token's text, which is shown this once. A token for someone who is not a
    member is refused as bad input (422), naming the email, not as a missing page."""
    label = check_label(label)
    try:
        membership = member_by_email(tenant_id, owner_email)
    except NotFound:
        raise ValidationFailed(
            f"{owner_email.strip()[:254]!r} is not a member of this workspace; a token acts "
            "as one of its members", [{"path": "/user", "message": "not a member"}]) from None
    plain = new_token()
    with transaction() as session:
        lock_tenant(tenant_id)  # one audit chain per tenant
        token = ApiToken(tenant_id=tenant_id, user_id=membership.user_id,
                         token_hash=hash_token(plain), prefix=plain[:PREFIX_LENGTH],
                         label=label, created_at=utcnow())
        session.add(token)
        session.flush()
        record_event(session, tenant_id=tenant_id, subject_type=TOKEN_SUBJECT,
                     subject_id=token.id, actor=actor, action="token.created",
                     after={"label": label, "prefix": token.prefix,
                            "owner": membership.user.email})
    return token, plain


def tokens_of(tenant_id: int) -> list[ApiToken]:
    """Every token of the tenant, revoked ones too (they explain old requests), newest first."""
    return list(db.session.execute(select(ApiToken).where(
        ApiToken.tenant_id == tenant_id).order_by(ApiToken.id.desc())).scalars())


def token_of(tenant_id: int, token_id: int) -> ApiToken:
    """One of the tenant's tokens; another tenant's id is as missing as an unknown one."""
    token = db.session.execute(select(ApiToken).where(
        ApiToken.tenant_id == tenant_id, ApiToken.id == token_id)).scalar_one_or_none()
    if token is None:
        raise NotFound(f"there is no API token {token_id} in this workspace")
    return token


def find_token(tenant_id: int, id_or_prefix: str) -> ApiToken | None:
    """A token by its id or its first characters (what the operator's list prints)."""
    cond = (ApiToken.id == int(id_or_prefix) if id_or_prefix.isdigit()
            else ApiToken.prefix == id_or_prefix[:PREFIX_LENGTH])
    return db.session.execute(select(ApiToken).where(
        ApiToken.tenant_id == tenant_id, cond)).scalar_one_or_none()


def revoke(tenant_id: int, token_id: int, *, actor: str) -> ApiToken:
    """Stop a token from working, at once and for good. Revoking a revoked token
    changes nothing and records nothing (a retried DELETE is not a second act)."""
    with transaction() as session:
        lock_tenant(tenant_id)
        token = token_of(tenant_id, token_id)
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            _record_revoked(session, token, actor, comment=None)
    return token


def revoke_tokens_of_member(session: Session, membership: Membership, actor: str) -> list[str]:
    """Inside the caller's transaction (which holds the tenant lock): revoke every live
    token of a person in this tenant, e.g. when they are removed from it; answers the
    revoked tokens' prefixes. Their tokens in other tenants are not ours to touch."""
    live = list(session.execute(select(ApiToken).where(
        ApiToken.tenant_id == membership.tenant_id, ApiToken.user_id == membership.user_id,
        ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)).scalars())
    if live:
        session.execute(update(ApiToken).where(ApiToken.id.in_([t.id for t in live]))
                        .values(revoked_at=utcnow()))
    for token in live:
        _record_revoked(session, token, actor, comment="its owner was removed from the workspace")
    return [t.prefix for t in live]


def _record_revoked(session: Session, token: ApiToken, actor: str, comment: str | None) -> None:
    owner = session.get(User, token.user_id)
    record_event(session, tenant_id=token.tenant_id, subject_type=TOKEN_SUBJECT,
                 subject_id=token.id, actor=actor, action="token.revoked",
                 before={"label": token.label, "prefix": token.prefix,
                         "owner": owner.email if owner else None},
                 comment=comment)
