"""The HTTP load harness the benchmarks share (not a benchmark: ``make bench`` runs
``benchmarks/bench_*.py`` only, so this module is never run on its own).

- ``urls`` / ``recreate_database``: a fresh PostgreSQL database per run;
- ``served``: a gunicorn child (``workorders serve`` or the bare app) in its own
  process group, waited for on ``/healthz`` and stopped on exit;
- ``hammer``: keep-alive client threads posting until a deadline, each request
  built by a callable from its index (so every request may carry its own path,
  token and body, e.g. another case id), counting only what started after the
  warm-up, but every success including the warm-up (the rows that must exist);
- ``bare_app``: the limit of the stack, a Flask endpoint that only inserts one
  case row with psycopg (served as ``gunicorn 'http_load:bare_app()'``);
- ``percentile``, ``machine_load``, ``free_port``, ``server_env``.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
BARE_TABLE = "bench_bare_cases"
CASE_COLUMNS = ("tenant_id, definition_version_id, case_type, number, title, customer, site, "
                "customer_name, scheduled_start, scheduled_end, assignee_id, fields, status, "
                "status_changed_at, version, created_by, created_at, updated_at")

# --------------------------------------------------------------------------- database


@dataclass
class Urls:
    admin: str      # libpq conninfo of the maintenance database
    bench: str      # libpq conninfo of the benchmark database
    sqlalchemy: str  # the app's WORKORDERS_DATABASE_URL


def urls(admin_url: str, name: str) -> Urls:
    base = make_url(admin_url)
    bench = base.set(database=name)
    return Urls(admin=base.set(drivername="postgresql").render_as_string(hide_password=False),
                bench=bench.set(drivername="postgresql").render_as_string(hide_password=False),
                sqlalchemy=bench.set(drivername="postgresql+psycopg")
                .render_as_string(hide_password=False))


def recreate_database(u: Urls, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(u.admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def create_bare_table(dsn: str) -> None:
    """The plain table the bare endpoint inserts into: the case row's columns,
    primary key only (no constraint, index or trigger of the app's)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id bigserial PRIMARY KEY,"
                     " tenant_id integer, definition_version_id integer, case_type varchar(63),"
                     " number varchar(40), title varchar(300), customer jsonb, site jsonb,"
                     " customer_name varchar(200), scheduled_start timestamptz,"
                     " scheduled_end timestamptz, assignee_id integer, fields jsonb,"
                     " status varchar(63), status_changed_at timestamptz, version integer,"
                     " created_by varchar(254), created_at timestamptz, updated_at timestamptz)")


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(u: Urls, instance: Path) -> dict[str, str]:
    """The environment of a served child: this database, no Redis (jobs run in
    the web workers, as in the embedded mode), the bare app's DSN."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORKORDERS_") and k != "REDIS_URL"}
    env.update({"WORKORDERS_DATABASE_URL": u.sqlalchemy, "WORKORDERS_INSTANCE_DIR": str(instance),
                "WORKORDERS_SECRET_KEY": "bench-secret", "BENCH_BARE_DSN": u.bench,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                            env.get("PYTHONPATH")]))})
    return env


@dataclass(frozen=True)
class ServeOptions:
    """What ``workorders serve`` accepts today (it is changing under issue 17):
    its options, their help text and defaults, read from ``--help``."""
    options: frozenset[str]
    defaults: dict[str, str]
    helps: dict[str, str]

    def threads(self, asked: int | None) -> int:
        """The threads per worker the app is served with: the asked number when
        ``serve`` takes ``--threads``, else its default (4 when it has no option)."""
        if asked is not None and "--threads" in self.options:
            return asked
        found = re.match(r"\d+", self.defaults.get("--threads", "4"))
        return int(found.group(0)) if found else 4

    @property
    def caps_connections(self) -> bool:
        """Whether a process takes only ``threads`` connections at once."""
        return "connections" in self.helps.get("--threads", "")

    @property
    def access_log(self) -> bool:
        """Whether the app logs every request by default (it did before
        ``--access-log`` existed)."""
        if "--access-log" not in self.options:
            return True
        return self.defaults.get("--access-log", "") == "access-log"

    def command(self, port: int, workers: int, threads: int | None) -> list[str]:
        args = [sys.executable, "-m", "workorders", "serve", "--port", str(port)]
        if "--workers" in self.options:
            args += ["--workers", str(workers)]
        if threads is not None and "--threads" in self.options:
            args += ["--threads", str(threads)]
        return args


def serve_options(env: dict[str, str]) -> ServeOptions:
    out = subprocess.run([sys.executable, "-m", "workorders", "serve", "--help"], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    entries: list[str] = []  # one per option, its wrapped help lines joined
    for line in out.splitlines():
        if line.lstrip().startswith("--"):
            entries.append(line.strip())
        elif entries and line.startswith(" "):
            entries[-1] += " " + line.strip()
    helps = {entry.split()[0]: entry for entry in entries}
    options = frozenset(re.findall(r"(--[a-z][a-z-]*)", " ".join(entries)))
    defaults = {name: m.group(1) for name, entry in helps.items()
                if (m := re.search(r"\[default: ([^\]]+)\]", entry))}
    return ServeOptions(options, defaults, helps)


def bare_command(port: int, workers: int, threads: int, options: ServeOptions) -> list[str]:
    """The bare app under gunicorn, the way ``workorders serve`` runs the app
    (processes, threads, connections per process, access log)."""
    args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread"]
    if options.caps_connections:
        args += ["--worker-connections", str(threads)]
    if options.access_log:
        args += ["--access-logfile", "-"]
    return [*args, "--chdir", str(BENCH_DIR), "http_load:bare_app()"]


@contextmanager
def served(args: list[str], env: dict[str, str], log: Path, port: int) -> Iterator[None]:
    """A gunicorn child in its own process group, stopped (TERM, then KILL) on exit."""
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}; see {log}")
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        conn.close()
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"server on port {port} did not start; see {log}")
                time.sleep(0.2)
            yield
        finally:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def last_error(log: Path) -> str:
    """The last line of a server log that names an error (the log goes with the
    temporary directory, so this is what is left of it)."""
    if not log.exists():
        return "no log"
    errors = [ln for ln in log.read_text(errors="replace").splitlines() if "Error" in ln]
    return errors[-1].strip() if errors else "none logged"


# --------------------------------------------------------------------------- load


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: dict[str, str]
    item: Any = None  # what the request works on, handed back to ``answered``


#: the request for index i (a shared, increasing counter), or None: no work left
Work = Callable[[int], Request | None]
#: called by the client thread after each answer: (request, status, body)
Answered = Callable[[Request, int, bytes], None]


@dataclass
class Load:
    ok: int
    errors: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    ok_total: int  # successes including the warm-up: the rows that must exist
    sent_total: int  # requests including the warm-up
    dry: int = 0  # clients that ran out of work before the deadline
    first_dry: float | None = None  # seconds after the measured start the first ran dry
    elapsed: float = 0.0  # wall time from the first request to the last answer
    samples: dict[int, bytes] = field(default_factory=dict)  # a body per failing status

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def latency(self) -> str:
        if not self.latencies:
            return "no answers"
        return (f"p50 {percentile(self.latencies, 0.5):6.1f} ms  "
                f"p95 {percentile(self.latencies, 0.95):6.1f} ms")

    def codes(self) -> str:
        return ", ".join(f"{c or 'conn err'}: {n}" for c, n in sorted(self.statuses.items()))


def hammer(port: int, work: Work, clients: int, seconds: float, warmup: float, *,
           ok: Collection[int] = (201,), answered: Answered | None = None) -> Load:
    """``clients`` threads, each with one keep-alive connection, posting until
    the deadline; only requests started after the warm-up are counted. Request i
    is ``work(i)`` (i shared by all clients, so round-robin over anything is
    ``i % n``); a client whose ``work`` answers None stops (counted as dry)."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    samples: dict[int, bytes] = {}
    counter = itertools.count()
    totals = {"ok": 0, "sent": 0, "dry": 0}
    dry_at: list[float] = []
    first = time.perf_counter()
    begin = first + warmup
    end = begin + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        codes: dict[int, int] = {}
        succeeded = sent = 0
        ran_dry = False
        while True:
            start = time.perf_counter()
            if start >= end:
                break
            request = work(next(counter))
            if request is None:
                ran_dry = True
                break
            data = b""
            try:
                conn.request("POST", request.path, body=request.body, headers=request.headers)
                resp = conn.getresponse()
                data = resp.read()
                code = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                code = 0
            sent += 1
            succeeded += code in ok
            if answered is not None:
                answered(request, code, data)
            if code not in ok and code not in samples:
                with lock:
                    samples.setdefault(code, data[:300])
            if start >= begin:
                mine.append((time.perf_counter() - start) * 1000)
                codes[code] = codes.get(code, 0) + 1
        conn.close()
        with lock:
            totals["ok"] += succeeded
            totals["sent"] += sent
            if ran_dry:
                totals["dry"] += 1
                dry_at.append(time.perf_counter() - begin)
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + warmup + 60)
    good = sum(n for code, n in statuses.items() if code in ok)
    return Load(good, sum(statuses.values()) - good, seconds, latencies, statuses,
                totals["ok"], totals["sent"], totals["dry"], min(dry_at) if dry_at else None,
                time.perf_counter() - first, samples)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def machine_load() -> str:
    """The box is shared: the load average says how much the figures are worth."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


# --------------------------------------------------------------------------- bare app


def bare_app() -> Any:
    """The limit of the stack: Flask + gunicorn + psycopg inserting the same case
    row into a plain table (primary key only), no auth, no ORM, no validation.
    Served as ``gunicorn 'http_load:bare_app()'``; the DSN comes from
    ``BENCH_BARE_DSN``."""
    from flask import Flask, jsonify, request

    dsn = os.environ["BENCH_BARE_DSN"]
    local = threading.local()
    app = Flask("bare")

    @app.get("/healthz")
    def healthz() -> Any:
        return "ok"

    @app.post("/bare/cases")
    def insert() -> Any:
        body = request.get_json()
        conn = getattr(local, "conn", None)
        if conn is None or conn.closed:
            conn = local.conn = psycopg.connect(dsn, autocommit=True)
        now = datetime.now(UTC)
        customer = body.get("customer") or {}
        row = conn.execute(
            f"INSERT INTO {BARE_TABLE} ({CASE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (int(body["tenant_id"]), int(body["definition_version_id"]), body["case_type"],
             f"BARE-{now.year}-{time.perf_counter_ns()}", body["title"].strip(),
             Jsonb(customer), Jsonb(body.get("site") or {}), customer.get("name", ""),
             body.get("scheduled_start"), body.get("scheduled_end"), body.get("assignee_id"),
             Jsonb(body.get("fields") or {}), "booked", now, 1, "bench", now, now)).fetchone()
        return jsonify(id=row[0] if row else None), 201

    return app


def booking_body(technician: str) -> dict[str, Any]:
    """The booking tests/support/cases.py sends, assigned to ``technician`` (an
    email of the tenant's)."""
    return {
        "case_type": "installation", "title": "Install F2120 heat pump",
        "customer": {"name": "Lena Berg", "email": "lena@example.test", "phone": "+46701234567",
                     "erp_id": "C-1001", "org_number": "5561234567", "vat_id": "SE556123456701",
                     "peppol_id": "0007:5561234567",
                     "address": {"street": "Storgatan 1", "city": "Umeå",
                                 "postal_code": "90325", "country": "SE"}},
        "site": {"street": "Storgatan 1", "city": "Umeå", "postal_code": "90325",
                 "country": "SE"},
        "scheduled_start": "2026-11-26T08:00:00+01:00",
        "scheduled_end": "2026-11-26T16:00:00+01:00",
        "assignee": technician,
    }
