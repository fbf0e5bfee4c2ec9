"""Settings, read from the environment once, when the app is created.

The names are a contract with deployments (see docs/running.md); nothing reads
the environment at import time so tests can build apps with any settings.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from workorders.platform.private_paths import private_dir
from workorders.rules.registry import DEFAULT_LIMIT, checked_limit

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    secret_key: str
    redis_url: str | None = None
    smtp_url: str | None = None
    outbound_allow: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    login_attempts_per_email: int = 5  # failures per window before that email is refused
    login_attempts_per_address: int = 50  # higher: one address may be a whole office
    login_window_seconds: int = 900
    rq_queue: str = "workorders"
    job_backoff_seconds: float = 2.0
    jobs_sync: bool = False  # no Redis: run each job right after the commit, before answering
    password_hash_method: str = "scrypt"  # werkzeug's; tests use a cheaper one
    #: notification sends per hour to one recipient of one tenant, and per tenant in all
    #: (a spam relay guard; see docs/running.md)
    notify_max_per_recipient_per_hour: int = 10
    notify_max_per_tenant_per_hour: int = 500
    public_url: str = "http://127.0.0.1:5000"  # for links in emails sent by jobs
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-For/-Proto are believed
    rules_engine: str = "durable"  # or "python" (e.g. where durable-rules cannot load)
    rules_cache_size: int = DEFAULT_LIMIT  # compiled rule lists a process keeps (rules.registry)
    #: wall-clock seconds for running a bundle's checks (validation, golden tests, simulation)
    check_budget_seconds: float = 5.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def https(self) -> bool:
        """Served over HTTPS: cookies only over TLS, and browsers told to insist (HSTS)."""
        return self.public_url.startswith("https://")

    @property
    def files_dir(self) -> Path:
        return self.instance_dir / "files"

    @property
    def mail_dir(self) -> Path:
        return self.instance_dir / "outbox"

    @property
    def exports_dir(self) -> Path:
        return self.instance_dir / "exports"


def settings_of(app: Flask) -> Settings:
    settings: Settings = app.extensions["workorders.settings"]
    return settings


def _secret_key(instance_dir: Path, given: str | None) -> str:
    """Use the configured key, or one generated once and kept in the instance dir,
    so sessions and signed links survive restarts without anyone pasting a key."""
    if given:
        return given
    key_file = instance_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def _positive_seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 0.0
    if not 0 < seconds < 3600:
        raise ValueError(f"WORKORDERS_CHECK_BUDGET_SECONDS must be a number of seconds between 0 "
                         f"and 3600, not {value!r}")
    return seconds


def _proxy_count(value: Any) -> int:
    """How many proxies stand in front. Believing X-Forwarded-For from more hops than
    really exist would let a client pick its own address and dodge login limits."""
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if not 0 <= count <= 5:
        raise ValueError("WORKORDERS_TRUSTED_PROXIES must be the number of proxies in front of "
                         f"the app, 0 to 5, not {value!r}")
    return count


def _positive_count(variable: str, value: Any) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = 0
    if count < 1:
        raise ValueError(f"{variable} must be a whole number of messages, at least 1, "
                         f"not {value!r}")
    return count


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Build settings from ``WORKORDERS_*`` variables, then apply ``overrides``
    (keys named like the dataclass fields, used by tests and the CLI)."""
    over = dict(overrides or {})
    env = os.environ
    instance_dir = Path(over.pop("instance_dir", None) or env.get("WORKORDERS_INSTANCE_DIR")
                        or "instance").resolve()
    private_dir(instance_dir)
    database_url = over.pop("database_url", None) or env.get("WORKORDERS_DATABASE_URL") \
        or f"sqlite:///{instance_dir / 'workorders.db'}"
    secret_key = _secret_key(instance_dir, over.pop("secret_key", None)
                             or env.get("WORKORDERS_SECRET_KEY"))
    redis_url = over.pop("redis_url", env.get("REDIS_URL")) or None
    smtp_url = over.pop("smtp_url", env.get("WORKORDERS_SMTP_URL")) or None
    allow_raw = over.pop("outbound_allow", env.get("WORKORDERS_OUTBOUND_ALLOW", ""))
    if isinstance(allow_raw, str):
        allow = tuple(p.strip() for p in allow_raw.replace(";", ",").split(",") if p.strip())
    else:
        allow = tuple(allow_raw)
    if "job_backoff_seconds" not in over and env.get("WORKORDERS_JOB_BACKOFF_SECONDS"):
        over["job_backoff_seconds"] = float(env["WORKORDERS_JOB_BACKOFF_SECONDS"])
    for name in ("notify_max_per_recipient_per_hour", "notify_max_per_tenant_per_hour"):
        variable = f"WORKORDERS_{name.upper()}"
        if name not in over and env.get(variable):
            over[name] = env[variable]
        if name in over:
            over[name] = _positive_count(variable, over[name])
    if "public_url" not in over and env.get("WORKORDERS_PUBLIC_URL"):
        over["public_url"] = env["WORKORDERS_PUBLIC_URL"].rstrip("/")
    if "trusted_proxies" not in over and env.get("WORKORDERS_TRUSTED_PROXIES"):
        over["trusted_proxies"] = _proxy_count(env["WORKORDERS_TRUSTED_PROXIES"])
    if "rules_engine" not in over and env.get("WORKORDERS_RULES_ENGINE"):
        over["rules_engine"] = env["WORKORDERS_RULES_ENGINE"]
    if over.get("rules_engine", "durable") not in ("durable", "python"):
        raise ValueError("WORKORDERS_RULES_ENGINE must be 'durable' or 'python'")
    if "rules_cache_size" not in over and env.get("WORKORDERS_RULES_CACHE_SIZE"):
        over["rules_cache_size"] = env["WORKORDERS_RULES_CACHE_SIZE"]
    if "rules_cache_size" in over:
        try:
            over["rules_cache_size"] = checked_limit(over["rules_cache_size"])
        except ValueError as exc:
            raise ValueError(f"WORKORDERS_RULES_CACHE_SIZE {exc}") from None
    if "check_budget_seconds" not in over and env.get("WORKORDERS_CHECK_BUDGET_SECONDS"):
        over["check_budget_seconds"] = env["WORKORDERS_CHECK_BUDGET_SECONDS"]
    if "check_budget_seconds" in over:
        over["check_budget_seconds"] = _positive_seconds(over["check_budget_seconds"])
    known = {f for f in Settings.__dataclass_fields__ if f != "extra"}
    extra = {k: v for k, v in over.items() if k not in known}
    kwargs = {k: v for k, v in over.items() if k in known}
    return Settings(instance_dir=instance_dir, database_url=database_url, secret_key=secret_key,
                    redis_url=redis_url, smtp_url=smtp_url, outbound_allow=allow,
                    extra=extra, **kwargs)
