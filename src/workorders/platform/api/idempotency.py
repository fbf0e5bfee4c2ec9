"""``Idempotency-Key`` for every creating POST, implemented once.

The first request with a key claims it (a committed placeholder row); it runs,
and its answer (status, body, content type) is stored on the row for 24 hours.
A retry with the same key and the same body gets that stored answer (same id,
same status); the same key with a different body is a 409. Concurrent
duplicates wait for the first to finish instead of running twice.

A key belongs to the caller who sent it (tenant and user), as keys are per
account at Stripe: clients pick keys independently, so another person's equal
key must get its own answer, never a replay of someone else's.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, current_app, g, make_response, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from workorders.errors import Conflict, WorkordersError
from workorders.platform.auth import current_actor
from workorders.platform.database import begin_write
from workorders.platform.extensions import db
from workorders.platform.input_guard import parse_json
from workorders.platform.models import IdempotencyRecord
from workorders.platform.models.types import utcnow
from workorders.platform.problems import ApiProblem

F = TypeVar("F", bound=Callable[..., Any])
TTL = timedelta(hours=24)
WAIT_SECONDS = 30.0


def request_fingerprint() -> str:
    """What "the same body" means: the parsed JSON (key order and spacing do not
    matter), or uploaded files' bytes and form fields (multipart boundaries do).
    A JSON body that cannot be parsed is refused here with the same 400 the
    view would answer."""
    digest = hashlib.sha256()
    if request.mimetype == "multipart/form-data":
        for name, storage in sorted(request.files.items(multi=True), key=lambda kv: kv[0]):
            digest.update(name.encode() + b"\0" + storage.stream.read() + b"\0")
            storage.stream.seek(0)
        digest.update(json.dumps(sorted(request.form.items(multi=True))).encode())
    elif request.is_json:
        digest.update(json.dumps(parse_json(request.get_data(cache=True)),
                                 sort_keys=True).encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _lookup(tenant_id: int, scope: str, key: str) -> IdempotencyRecord | None:
    begin_write(db.session())
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < utcnow()))
    record = db.session.execute(select(IdempotencyRecord).where(
        IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.scope == scope,
        IdempotencyRecord.key == key).execution_options(populate_existing=True)
    ).scalar_one_or_none()  # read afresh each time: the first request fills it in meanwhile
    db.session.commit()
    return record


def _claim(tenant_id: int, scope: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    record = IdempotencyRecord(tenant_id=tenant_id, scope=scope, key=key,
                               request_hash=fingerprint, expires_at=utcnow() + TTL)
    begin_write(db.session())
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return record


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response | None:
    if record.request_hash != fingerprint:
        raise Conflict("this Idempotency-Key was used with a different request body; "
                       "use a new key for a new request")
    if record.status_code is None:
        return None
    resp = Response(record.response_body or "", status=record.status_code,
                    mimetype=record.response_type or "application/json")
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def replay_answer(body: Any) -> None:
    """Store ``body`` (JSON) as what a replay of this request answers, instead of the
    first answer. For answers holding what must be shown only once: a created API
    token's text is never stored (not even here), so its replay describes the token
    without the text."""
    g.idempotent_replay_body = json.dumps(body)


def _run_and_store(view: Callable[..., Any], record_id: int, args: Any, kwargs: Any) -> Response:
    try:
        resp = make_response(view(*args, **kwargs))
    except WorkordersError as exc:
        resp = make_response(current_app.handle_user_exception(exc))
    except BaseException:
        db.session.rollback()
        begin_write(db.session())
        db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        db.session.commit()
        raise
    db.session.rollback()  # whatever the view left open; its own work is committed
    begin_write(db.session())
    if resp.status_code >= 500:
        db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    else:
        record = db.session.get(IdempotencyRecord, record_id)
        if record is not None:
            record.status_code = resp.status_code
            replay = g.pop("idempotent_replay_body", None)
            record.response_body = replay if replay is not None else resp.get_data(as_text=True)
            record.response_type = resp.mimetype
    db.session.commit()
    return resp


def idempotent(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 200 or not key.isprintable():
            raise ApiProblem(400, "Bad Idempotency-Key", "use 1-200 printable characters")
        actor = current_actor()
        tenant_id = actor.tenant_id
        scope = f"user {actor.user_id} {request.method} {request.path}"
        fingerprint = request_fingerprint()
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            record = _lookup(tenant_id, scope, key)
            if record is not None:
                replay = _replay(record, fingerprint)
                if replay is not None:
                    return replay
            else:
                claimed = _claim(tenant_id, scope, key, fingerprint)
                if claimed is not None:
                    return _run_and_store(view, claimed.id, args, kwargs)
            if time.monotonic() > deadline:
                raise Conflict("the first request with this Idempotency-Key is still running; "
                               "retry in a moment")
            time.sleep(0.05)

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return cast(F, wrapper)


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """Raise this route's request size limit before anything reads the body
    (place it above ``@idempotent``, which fingerprints the body)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            request.max_content_length = max_bytes
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
