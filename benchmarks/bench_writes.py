"""Write-path benchmark: `python benchmarks/bench_writes.py [--quick] [--seconds S]`.

Why (issue 17): a busy office booking and a few hundred technicians submitting
their reports at the end of the day, times many tenants on one installation, all
write. The issue's targets, over HTTP on PostgreSQL on this 2-core machine:

- ``POST /api/v1/cases`` (a booking) at >= 0.30x the bare insert endpoint;
- the final submission of the nordvarme installation report (2 time rows, 2
  material lines, a photo, a signature; 17 h, so the overtime rule fires and
  opens an approval; readiness computed) at >= 200/s with p95 <= 100 ms;
- a correction and a transition measured the same way;
- each load once on ONE tenant and once spread round-robin over 50 tenants (so a
  per-tenant lock, e.g. the case-number counter, is neither hidden nor blamed);
- nothing lost or doubled: every success answer is exactly one new row, case
  numbers stay gap-free per tenant, prefix and year, audit chains verify.

How: a fresh database (``--database``, migrated by the app's ``init_database``)
gets 50 tenants through the app's services, each with the example bundle
``definitions/nordvarme-heatpumps.yaml`` published, a coordinator, two
technicians (and an admin who publishes), and API tokens. The baseline runs
first: ``http_load.bare_app`` (Flask + psycopg inserting one case row into a
plain table) under gunicorn with the same workers and threads. Then ``workorders
serve`` (only the options its ``--help`` lists) is driven by ``--clients``
keep-alive threads, each workload for ``--seconds`` after a warm-up. Its jobs go
to Redis (``--redis``) and a burst rq worker runs them between loads, off the
clock, as workers on other hosts would; ``--redis ''`` measures the embedded mode,
where the web workers run them:

1. bookings (coordinator; assignee one of the tenant's technicians);
2. transitions (``schedule``, coordinator) on the cases booked in 1;
3. final submissions (technician), on cases prepared over HTTP beforehand:
   booked and scheduled (or scheduled in 2), ``start`` by the technician, a JPEG
   photo and a PNG signature uploaded; how many comes from a short pilot;
4. corrections by the coordinator, each on a final just submitted, then on its
   own latest revision (a chain) when the fresh finals run out.

Before each load the jobs the earlier requests wrote (emails, texts) are let
finish, so a load does not pay for its predecessor's.

Reading the output: one line per workload and spread with rate/s, p50 and p95
latency of the measured requests, the bare endpoint's rate and the ratio; under
it the integrity verdict (rows written vs success answers counted including the
warm-up, numbering, outcomes opened, audit chains). The targets follow with
``met`` / ``NOT MET``, and the load average (the box is shared: a high one makes
every figure worth less). ``dry`` in a line means the prepared work ran out
before the deadline: the rate is then too low, rerun. The script exits 1 when an
integrity check fails (a target missed is reported, not a failure). The database
is dropped at the end unless ``--keep``. The harness is ``http_load.py``.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import math
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from http_load import (
    ROOT,
    Load,
    Request,
    ServeOptions,
    Urls,
    bare_command,
    booking_body,
    create_bare_table,
    free_port,
    hammer,
    last_error,
    machine_load,
    percentile,
    recreate_database,
    serve_options,
    served,
    server_env,
    urls,
)

BUNDLE = ROOT / "definitions" / "nordvarme-heatpumps.yaml"
FORM = "installation_report"
BOOKING_RATIO_TARGET = 0.30
SUBMIT_RATE_TARGET = 200.0
SUBMIT_P95_TARGET_MS = 100.0

# --------------------------------------------------------------------------- tenants


@dataclass
class Seat:
    """One tenant of the benchmark with its people's bearer headers."""
    id: int
    slug: str
    version_id: int
    coordinator: str
    coordinator_headers: dict[str, str]
    technicians: list[tuple[int, str, dict[str, str]]]  # user id, email, headers
    booking_bodies: list[bytes] = field(default_factory=list)  # one per technician


def _headers(token: str, content_type: str | None = "application/json") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def seed_tenants(app: Any, count: int) -> list[Seat]:
    """Tenants, people, tokens and the published bundle, all through the app's
    services (their welcome emails go to the bench instance's outbox)."""
    from workorders.platform.services.accounts import create_tenant, create_token, create_user
    from workorders.platform.services.definitions import create_draft, publish_version

    source = BUNDLE.read_bytes()
    seats = []
    with app.app_context():
        for n in range(1, count + 1):
            slug = f"bench-{n:03d}"
            tenant = create_tenant(slug, f"Nordvärme {n}")
            admin = f"admin@{slug}.test"
            create_user(slug, admin, ["admin"], name="Admin")
            coordinator = f"coordinator@{slug}.test"
            create_user(slug, coordinator, ["coordinator"], name="Karin Coordinator")
            technicians = []
            for k, name in enumerate(("Erik Lindberg", "Sara Holm")):
                email = f"tech{k}@{slug}.test"
                member = create_user(slug, email, ["technician"], name=name)
                _, token = create_token(slug, email, "bench")
                technicians.append((member.user_id, email, _headers(token)))
            _, token = create_token(slug, coordinator, "bench")
            draft = create_draft(tenant.id, source, admin)
            version = publish_version(tenant.id, draft.number, admin)
            seat = Seat(tenant.id, slug, version.id, coordinator, _headers(token), technicians)
            seat.booking_bodies = [json.dumps(booking_body(email)).encode()
                                   for _, email, _ in technicians]
            seats.append(seat)
    return seats


# --------------------------------------------------------------------------- one client


class Client:
    """A keep-alive connection for the untimed preparation."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, body: bytes, headers: dict[str, str], expect: int) -> Any:
        try:
            self.conn.request("POST", path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        if resp.status != expect:
            raise RuntimeError(f"POST {path}: {resp.status} (expected {expect}): "
                               f"{data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.conn.close()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 80, 40)).save(out, format="JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


BOUNDARY = "bench-writes-boundary-7d1f"


def multipart(data: bytes, filename: str, content_type: str) -> bytes:
    return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n').encode() + \
        data + f"\r\n--{BOUNDARY}--\r\n".encode()


def report(photo: str, signature: str, note: str = "") -> dict[str, Any]:
    """tests/support/capture.report(photo, signature, hours="16") with a second
    material line: 17 h in all, so ``overtime_needs_approval`` opens an approval."""
    return {
        "time": [{"date": "2026-11-26", "hours": "16", "labor": "install"},
                 {"date": "2026-11-26", "hours": "1", "labor": "travel"}],
        "materials": [{"article": "CU15", "quantity": "12"},
                      {"article": "INS-19", "quantity": "12"}],
        "work_description": "Installed the F2120 and connected it to the heating system."
                            + note,
        "installed_heat_pump": True,
        "heat_pump_serial": "F2120-0042",
        "photos": [photo],
        "customer_signature": {"image": signature, "name": "Lena Berg"},
        "customer_name": "Lena Berg",
    }


# --------------------------------------------------------------------------- preparation


@dataclass(frozen=True)
class Started:
    """A case booked, scheduled, started, with a photo and a signature: ready
    for its final report (the request body is built beforehand)."""
    seat: Seat
    case_id: int
    body: bytes
    headers: dict[str, str]


def prepare_started(port: int, plan: list[tuple[Seat, int]], threads: int,
                    scheduled: dict[int, deque[tuple[int, int]]] | None = None,
                    ) -> list[Started]:
    """``count`` started cases per seat, over HTTP with ``threads`` clients;
    technicians alternate. Cases the transitions workload scheduled (``scheduled``:
    tenant id -> (case id, technician index)) are used first, the rest are booked
    and scheduled here. Every step must answer as it does in the tests."""
    reuse = scheduled if scheduled is not None else {}
    jpeg, png = multipart(jpeg_bytes(), "photo.jpg", "image/jpeg"), \
        multipart(png_bytes(), "signature.png", "image/png")
    jobs: queue.Queue[tuple[Seat, int]] = queue.Queue()
    for seat, count in plan:
        for k in range(count):
            jobs.put((seat, k % len(seat.technicians)))
    done: list[Started] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    schedule = json.dumps({"transition": "schedule"}).encode()
    start = json.dumps({"transition": "start"}).encode()
    upload = f"multipart/form-data; boundary={BOUNDARY}"

    def worker() -> None:
        client = Client(port)
        try:
            while not failures:
                try:
                    seat, k = jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    case, k = reuse.get(seat.id, deque()).popleft()
                    base = f"/api/v1/cases/{case}"
                except IndexError:
                    case = client.post("/api/v1/cases", seat.booking_bodies[k],
                                       seat.coordinator_headers, 201)["id"]
                    base = f"/api/v1/cases/{case}"
                    client.post(f"{base}/transitions", schedule, seat.coordinator_headers, 200)
                _, _, tech = seat.technicians[k]
                client.post(f"{base}/transitions", start, tech, 200)
                file_headers = {**tech, "Content-Type": upload}
                photo = client.post(f"{base}/attachments", jpeg, file_headers, 201)["id"]
                signature = client.post(f"{base}/attachments", png, file_headers, 201)["id"]
                body = json.dumps({"form": FORM, "data": report(photo, signature)}).encode()
                with lock:
                    done.append(Started(seat, int(case), body, tech))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            failures.append(exc)
        finally:
            client.close()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    if failures:
        raise RuntimeError(f"preparing cases failed: {failures[0]}") from failures[0]
    return done


# --------------------------------------------------------------------------- workloads


class Pools:
    """Work items per tenant, taken by the client threads (deque append and
    popleft are atomic). ``seats`` is the round-robin: request i goes to
    ``seats[i % len(seats)]``."""

    def __init__(self, seats: list[Seat]) -> None:
        self.seats = seats
        self.items: dict[int, deque[Any]] = {s.id: deque() for s in seats}

    def seat(self, i: int) -> Seat:
        return self.seats[i % len(self.seats)]

    def take(self, seat: Seat) -> Any:
        try:
            return self.items[seat.id].popleft()
        except IndexError:
            return None


def ids_from(answer: bytes, *keys: str) -> int | None:
    try:
        found: Any = json.loads(answer)
        for key in keys:
            found = found[key]
        return int(found)
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class Outcome:
    """What each workload leaves behind for the next one, per tenant id: cases
    booked and scheduled as (case id, technician index), final submission ids."""
    booked: dict[int, deque[tuple[int, int]]] = field(default_factory=dict)
    scheduled: dict[int, deque[tuple[int, int]]] = field(default_factory=dict)
    finals: dict[int, deque[int]] = field(default_factory=dict)

    def add(self, where: dict[int, deque[Any]], seat: Seat, value: Any) -> None:
        if value is not None:
            where.setdefault(seat.id, deque()).append(value)


def bookings(seats: list[Seat], out: Outcome) -> tuple[Callable[[int], Request | None],
                                                         Callable[[Request, int, bytes], None]]:
    def work(i: int) -> Request:
        seat = seats[i % len(seats)]
        k = (i // len(seats)) % len(seat.booking_bodies)
        return Request("/api/v1/cases", seat.booking_bodies[k], seat.coordinator_headers,
                       (seat, k))

    def answered(request: Request, code: int, data: bytes) -> None:
        case = ids_from(data, "id") if code == 201 else None
        if case is not None:
            seat, k = request.item
            out.add(out.booked, seat, (case, k))

    return work, answered


def submissions(pools: Pools, out: Outcome) -> tuple[Callable[[int], Request | None],
                                                       Callable[[Request, int, bytes], None]]:
    def work(i: int) -> Request | None:
        started: Started | None = pools.take(pools.seat(i))
        if started is None:
            return None
        return Request(f"/api/v1/cases/{started.case_id}/submissions", started.body,
                       started.headers, started.seat)

    def answered(request: Request, code: int, data: bytes) -> None:
        if code == 201:
            out.add(out.finals, request.item, ids_from(data, "submission", "id"))

    return work, answered


def corrections(pools: Pools, photo_of: dict[int, tuple[str, str]]
                ) -> tuple[Callable[[int], Request | None],
                           Callable[[Request, int, bytes], None]]:
    """Fresh finals first; a corrected one goes back at the end of its tenant's
    queue as its new revision, so when the finals run out the corrections chain
    (only one client holds a lineage at a time: no 409 for a stale revision)."""
    def work(i: int) -> Request | None:
        seat = pools.seat(i)
        submission = pools.take(seat)
        if submission is None:
            return None
        photo, signature = photo_of[submission]
        body = json.dumps({"data": report(photo, signature, f" Corrected ({i})."),
                           "reason": "Signed on paper"}).encode()
        return Request(f"/api/v1/submissions/{submission}/corrections", body,
                       seat.coordinator_headers, (seat, submission))

    def answered(request: Request, code: int, data: bytes) -> None:
        seat, submission = request.item
        new = ids_from(data, "submission", "id") if code == 201 else None
        if new is not None:
            photo_of[new] = photo_of[submission]
            pools.items[seat.id].append(new)

    return work, answered


def transitions(pools: Pools, out: Outcome) -> tuple[Callable[[int], Request | None],
                                                      Callable[[Request, int, bytes], None]]:
    body = json.dumps({"transition": "schedule"}).encode()

    def work(i: int) -> Request | None:
        seat = pools.seat(i)
        booked = pools.take(seat)
        if booked is None:
            return None
        return Request(f"/api/v1/cases/{booked[0]}/transitions", body,
                       seat.coordinator_headers, (seat, booked))

    def answered(request: Request, code: int, data: bytes) -> None:
        if code == 200:
            seat, booked = request.item
            out.add(out.scheduled, seat, booked)

    return work, answered


# --------------------------------------------------------------------------- integrity


TABLES = ("cases", "submissions", "approvals", "case_exceptions", "audit_events")


def watermarks(u: Urls) -> dict[str, int]:
    with psycopg.connect(u.bench, autocommit=True) as conn:
        return {t: int(one(conn, f"SELECT coalesce(max(id), 0) FROM {t}")) for t in TABLES}


def one(conn: psycopg.Connection[Any], sql: str, *params: Any) -> Any:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def integrity(app: Any, u: Urls, kind: str, seats: list[Seat], since: dict[str, int],
              load: Load) -> tuple[bool, str]:
    """(clean?, one line): the rows this workload wrote against its success
    answers (warm-up included), numbering, outcomes, the tenants' audit chains."""
    tenant_ids = [s.id for s in seats]
    facts: list[str] = []
    ok = load.errors == 0 and load.sent_total == load.ok_total  # warm-up included
    with psycopg.connect(u.bench, autocommit=True) as conn:
        if kind == "bookings":
            rows, numbers = one(conn, "SELECT count(*), count(DISTINCT (tenant_id, number))"
                                " FROM cases"
                                " WHERE id > %s AND tenant_id = ANY(%s)", since["cases"],
                                tenant_ids)
            events = one(conn, "SELECT count(*) FROM audit_events WHERE id > %s AND"
                         " tenant_id = ANY(%s) AND action = 'booked'", since["audit_events"],
                         tenant_ids)
            ok &= rows == numbers == events == load.ok_total
            facts.append(f"{load.ok_total} answered 201, {rows} cases, {numbers} distinct "
                         f"numbers, {events} 'booked' events")
        elif kind in ("submissions", "corrections"):
            submission_kind = "final" if kind == "submissions" else "correction"
            rows, lineages = one(
                conn, "SELECT count(*), count(DISTINCT case_id) FROM submissions WHERE id > %s"
                " AND tenant_id = ANY(%s) AND kind = %s", since["submissions"], tenant_ids,
                submission_kind)
            others = one(conn, "SELECT count(*) FROM submissions WHERE id > %s AND"
                         " tenant_id = ANY(%s) AND kind <> %s", since["submissions"],
                         tenant_ids, submission_kind)
            action = f"{submission_kind}:"
            events = one(conn, "SELECT count(*) FROM audit_events WHERE id > %s AND"
                         " tenant_id = ANY(%s) AND action LIKE %s", since["audit_events"],
                         tenant_ids, action + "%")
            ok &= rows == load.ok_total and others == 0
            facts.append(f"{load.ok_total} answered 201, {rows} {submission_kind} rows "
                         f"on {lineages} cases, {others} other rows, {events} '{action}' events")
            if kind == "submissions":
                ok &= lineages == rows
                approvals, exceptions, covered = one(
                    conn, "WITH s AS (SELECT DISTINCT case_id FROM submissions WHERE id > %s"
                    " AND tenant_id = ANY(%s) AND kind = 'final'),"
                    " a AS (SELECT case_id FROM approvals WHERE id > %s"
                    " AND tenant_id = ANY(%s)),"
                    " e AS (SELECT case_id FROM case_exceptions WHERE id > %s"
                    " AND tenant_id = ANY(%s))"
                    " SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM e),"
                    " (SELECT count(*) FROM s WHERE case_id IN (SELECT case_id FROM a)"
                    " OR case_id IN (SELECT case_id FROM e))",
                    since["submissions"], tenant_ids, since["approvals"], tenant_ids,
                    since["case_exceptions"], tenant_ids)
                ok &= covered == rows
                facts.append(f"{approvals} approvals + {exceptions} exceptions opened, "
                             f"{covered} of {rows} submitted cases with one")
        else:  # transitions
            events, cases = one(conn, "SELECT count(*), count(DISTINCT subject_id) FROM"
                                " audit_events WHERE id > %s AND tenant_id = ANY(%s) AND"
                                " action = 'transition:schedule'", since["audit_events"],
                                tenant_ids)
            ok &= events == cases == load.ok_total
            facts.append(f"{load.ok_total} answered 200, {events} 'transition:schedule' "
                         f"events on {cases} cases")
        gaps = conn.execute(
            "SELECT tenant_id, split_part(number, '-', 1), split_part(number, '-', 2),"
            " count(*), count(DISTINCT number), max(split_part(number, '-', 3)::int)"
            " FROM cases WHERE tenant_id = ANY(%s) GROUP BY 1, 2, 3", (tenant_ids,)).fetchall()
        broken = [g for g in gaps if not g[3] == g[4] == g[5]]
        ok &= not broken
        facts.append(f"numbers gap-free in {len(gaps) - len(broken)} of {len(gaps)} "
                     "(tenant, prefix, year)")
    events_checked, breaks = verify_audit(app, tenant_ids)
    ok &= not breaks
    facts.append(f"audit chains of {len(tenant_ids)} tenant(s) verify "
                 f"({events_checked:,} events)" if not breaks else
                 f"AUDIT BREAKS: {breaks[0]}")
    if load.sent_total != load.ok_total:
        facts.append(f"{load.sent_total - load.ok_total} failed answers incl. warm-up "
                     f"(measured: {load.codes()})")
    return ok, "; ".join(facts)


def verify_audit(app: Any, tenant_ids: list[int]) -> tuple[int, list[str]]:
    from workorders.platform.extensions import db
    from workorders.platform.services.audit_verify import verify_chains

    checked, breaks = 0, []
    with app.app_context():
        for tenant_id in tenant_ids:
            count, found = verify_chains(tenant_id)
            checked += count
            breaks += [b.describe() for b in found]
            db.session.rollback()
            db.session.expunge_all()
    return checked, breaks


# --------------------------------------------------------------------------- main


@dataclass
class Figures:
    label: str
    load: Load
    clean: bool


class Runner:
    def __init__(self, args: argparse.Namespace, app: Any, u: Urls, tmp: Path, port: int,
                 bare: Load, env: dict[str, str]) -> None:
        self.args, self.app, self.u, self.tmp, self.port, self.bare = \
            args, app, u, tmp, port, bare
        self.env = env
        self.figures: dict[str, Figures] = {}

    def run(self, key: str, label: str, kind: str, seats: list[Seat],
            work: Callable[[int], Request | None],
            answered: Callable[[Request, int, bytes], None] | None, ok: int = 201) -> Load:
        waiting = settle(self.u, self.env)
        if waiting:
            print(f"      ({waiting} jobs of the preceding requests still due after "
                  f"{SETTLE_SECONDS:.0f} s: they run in the web workers during this load)")
        since = watermarks(self.u)
        load = hammer(self.port, work, self.args.clients, self.args.seconds, self.args.warmup,
                      ok=(ok,), answered=answered)
        clean, facts = integrity(self.app, self.u, kind, seats, since, load)
        ratio = load.rate / self.bare.rate if self.bare.rate else math.nan
        dry = f"  DRY after {load.first_dry:.1f} s ({load.dry} clients)" if load.dry else ""
        print(f"  {label:34} {load.rate:7,.0f}/s  {load.latency()} | bare "
              f"{self.bare.rate:6,.0f}/s | ratio {ratio:5.2f}{dry}", flush=True)
        print(f"      {'ok' if clean else 'MISMATCH'}: {facts}", flush=True)
        if load.sent_total != load.ok_total:
            for code, sample in sorted(load.samples.items()):
                print(f"      answer {code or 'conn err'}: {sample!r}")
            print(f"      last server error: {last_error(self.tmp / 'serve.log')}")
        self.figures[key] = Figures(label, load, clean)
        return load


SETTLE_SECONDS = 30.0


def settle(u: Urls, env: dict[str, str]) -> int:
    """Wait until the jobs the previous requests wrote (emails, texts) are done, so
    one load does not pay for the last; answer how many are still due after
    SETTLE_SECONDS. With Redis, an rq worker runs them now, off the clock (in
    production workers run beside the web processes, on hosts of their own);
    without, the web workers run them right after each commit."""
    if env.get("REDIS_URL"):
        subprocess.run([sys.executable, "-m", "workorders", "worker", "--burst"], env=env,
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=300, check=False)
    deadline = time.monotonic() + SETTLE_SECONDS
    with psycopg.connect(u.bench, autocommit=True) as conn:
        while True:
            due = int(one(conn, "SELECT count(*) FROM outbox_jobs WHERE status IN"
                          " ('pending', 'running') AND run_after <= now()"))
            if not due or time.monotonic() > deadline:
                return due
            time.sleep(0.2)


def pool_size(rate: float, args: argparse.Namespace, factor: float) -> int:
    return int(rate * (args.seconds + args.warmup) * factor) + 4 * args.clients


def spread_plan(seats: list[Seat], total: int) -> list[tuple[Seat, int]]:
    each = math.ceil(total / len(seats))
    return [(s, each) for s in seats]


def measure(args: argparse.Namespace, app: Any, u: Urls, seats: list[Seat], tmp: Path,
            options: ServeOptions, env: dict[str, str], bare: Load) -> dict[str, Figures]:
    port = free_port()
    command = options.command(port, args.workers, args.threads)
    with served(command, env, tmp / "serve.log", port):
        runner = Runner(args, app, u, tmp, port, bare, env)
        home = seats[:1]
        out = Outcome()
        spread_out = Outcome()
        print("bookings: POST /api/v1/cases", flush=True)
        runner.run("book_one", "bookings, one tenant", "bookings", home,
                   *bookings(home, out))
        runner.run("book_all", f"bookings, {len(seats)} tenants", "bookings", seats,
                   *bookings(seats, spread_out))

        print("transitions: POST /api/v1/cases/{id}/transitions schedule (coordinator), on "
              "the cases booked above", flush=True)
        for key, group, source in (("move_one", home, out), ("move_all", seats, spread_out)):
            pools = Pools(group)
            for seat in group:
                pools.items[seat.id].extend(source.booked.get(seat.id, ()))
            label = "transitions, " + ("one tenant" if len(group) == 1
                                       else f"{len(seats)} tenants")
            runner.run(key, label, "transitions", group, *transitions(pools, source),
                       ok=200)

        started = time.perf_counter()
        pilot_pool = Pools(home)
        pilot = prepare_started(port, [(home[0], 10 * args.clients)], 2 * args.clients,
                                out.scheduled)
        settle(u, env)
        pilot_pool.items[home[0].id].extend(pilot)
        finals = Outcome()
        work, answered = submissions(pilot_pool, finals)
        trial = hammer(port, work, args.clients, 60, 0, answered=answered)
        # Little's law (clients in flight / mean latency) or the plain count over the
        # wall time, whichever is higher: the pilot's ramp and stragglers make the
        # count underestimate, and an underestimate runs the pool dry
        little = args.clients * 1000 * len(trial.latencies) / sum(trial.latencies) \
            if trial.latencies else 0.0
        rate = max(little, trial.ok_total / trial.elapsed if trial.elapsed else 0.0)
        if trial.errors:
            raise RuntimeError(f"the pilot's submissions failed: {trial.codes()} "
                               f"{trial.samples}")
        one_count = spread_count = pool_size(rate, args, 1.4)
        one_pool, all_pool = Pools(home), Pools(seats)
        made = prepare_started(port, [(home[0], one_count),
                                      *spread_plan(seats, spread_count)], 2 * args.clients,
                                {**spread_out.scheduled, home[0].id: deque(
                                    [*out.scheduled.get(home[0].id, ()),
                                     *spread_out.scheduled.get(home[0].id, ())])})
        for item in made:
            (one_pool if item.seat is home[0] and len(one_pool.items[home[0].id]) < one_count
             else all_pool).items[item.seat.id].append(item)
        photos = {item.case_id: json.loads(item.body)["data"] for item in [*pilot, *made]}
        print(f"final submissions: POST /api/v1/cases/{{id}}/submissions; pilot "
              f"{trial.ok_total} at {rate:,.0f}/s, then {len(made):,} cases prepared over "
              f"HTTP (booked and scheduled, or scheduled above; started; photo + "
              f"signature) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        runner.run("submit_one", "final submissions, one tenant", "submissions", home,
                   *submissions(one_pool, finals))
        spread_finals = Outcome()
        runner.run("submit_all", f"final submissions, {len(seats)} tenants", "submissions",
                   seats, *submissions(all_pool, spread_finals))

        print("corrections: POST /api/v1/submissions/{id}/corrections (coordinator)",
              flush=True)
        photo_of = case_attachments(u, photos)
        for key, group, source in (("correct_one", home, finals),
                                   ("correct_all", seats, spread_finals)):
            pools = Pools(group)
            for seat in group:
                pools.items[seat.id].extend(source.finals.get(seat.id, ()))
            label = "corrections, " + ("one tenant" if len(group) == 1
                                       else f"{len(seats)} tenants")
            runner.run(key, label, "corrections", group, *corrections(pools, photo_of))

    return runner.figures


def case_attachments(u: Urls, reports: dict[int, dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """submission id -> (photo, signature) of its case, for the corrections."""
    with psycopg.connect(u.bench, autocommit=True) as conn:
        rows = conn.execute("SELECT id, case_id FROM submissions WHERE kind = 'final'"
                            " AND case_id = ANY(%s)", (list(reports),)).fetchall()
    return {sid: (reports[cid]["photos"][0], reports[cid]["customer_signature"]["image"])
            for sid, cid in rows}


def measure_bare(args: argparse.Namespace, u: Urls, seat: Seat, tmp: Path, threads: int,
                 env: dict[str, str], options: ServeOptions) -> Load:
    create_bare_table(u.bench)
    tech_id, tech_email, _ = seat.technicians[0]
    body = json.dumps({**booking_body(tech_email), "tenant_id": seat.id,
                       "definition_version_id": seat.version_id,
                       "assignee_id": tech_id}).encode()
    request = Request("/bare/cases", body, {"Content-Type": "application/json"})
    port = free_port()
    with served(bare_command(port, args.workers, threads, options), env, tmp / "bare.log", port):
        return hammer(port, lambda _: request, args.clients, args.seconds, args.warmup)


def targets(figures: dict[str, Figures], bare: Load, tenants: int) -> list[str]:
    lines = []
    for key, where in (("book_one", "one tenant"), ("book_all", f"{tenants} tenants")):
        load = figures[key].load
        ratio = load.rate / bare.rate if bare.rate else math.nan
        met = ratio >= BOOKING_RATIO_TARGET
        lines.append(f"  bookings >= {BOOKING_RATIO_TARGET:.2f}x bare ({where}): {ratio:.2f}x "
                     f"-> {'met' if met else 'NOT MET'}")
    for key, where in (("submit_one", "one tenant"), ("submit_all", f"{tenants} tenants")):
        load = figures[key].load
        p95 = percentile(load.latencies, 0.95) if load.latencies else math.inf
        met = load.rate >= SUBMIT_RATE_TARGET and p95 <= SUBMIT_P95_TARGET_MS
        lines.append(f"  final submissions >= {SUBMIT_RATE_TARGET:.0f}/s, p95 <= "
                     f"{SUBMIT_P95_TARGET_MS:.0f} ms ({where}): {load.rate:,.0f}/s, p95 "
                     f"{p95:.0f} ms -> {'met' if met else 'NOT MET'}")
    return lines


@contextmanager
def bench_database(u: Urls, name: str, keep: bool) -> Iterator[None]:
    recreate_database(u, name)
    try:
        yield
    finally:
        if keep:
            print(f"kept database {name} ({u.sqlalchemy})")
        else:
            recreate_database(u, name, drop_only=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="halve the durations")
    parser.add_argument("--seconds", type=float, default=None,
                        help="measured seconds per load (8; 4 with --quick)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None,
                        help="processes (default: what `workorders serve` picks here)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per process (default: what `workorders serve` picks)")
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--database", default="workorders_bench_writes")
    parser.add_argument("--postgres", default=os.environ.get(
        "WORKORDERS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a maintenance database URL on the server to use (env WORKORDERS_BENCH_POSTGRES_URL)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--redis", default=os.environ.get(
        "WORKORDERS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        help="the served app queues its jobs here and a burst rq worker runs them between "
             "loads, off the clock; '' runs them in the web workers (the embedded mode)")
    args = parser.parse_args()
    if args.seconds is None:
        args.seconds = 4.0 if args.quick else 8.0
    args.warmup = 1.0 if args.quick else 2.0
    from workorders.platform.server import serve_plan

    plan = serve_plan(os.cpu_count() or 1, args.workers, args.threads)  # as `serve` would
    args.workers, args.threads = plan.workers, plan.threads

    from workorders.platform import create_app
    from workorders.platform.bootstrap import init_database
    from workorders.platform.extensions import db

    u = urls(args.postgres, args.database)
    total = time.perf_counter()
    clean = True
    with bench_database(u, args.database, args.keep), \
            tempfile.TemporaryDirectory(prefix="bench-writes-") as tmpdir:
        tmp = Path(tmpdir)
        instance = tmp / "instance"
        app = create_app({"database_url": u.sqlalchemy, "instance_dir": instance,
                          "secret_key": "bench-secret"})
        revision = init_database(app)
        started = time.perf_counter()
        seats = seed_tenants(app, args.tenants)
        print(f"database {args.database} migrated to {revision}; {len(seats)} tenants with "
              f"the bundle published, a coordinator, 2 technicians and tokens each "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
        env = server_env(u, instance)
        if args.redis:
            env["REDIS_URL"] = args.redis  # a database of its own (12 by default)
        options = serve_options(env)
        threads = options.threads(args.threads)
        shown = " ".join(options.command(0, args.workers, args.threads)[1:])
        bare_shown = " ".join(bare_command(0, args.workers, threads, options)[5:])
        print(f"{args.clients} keep-alive clients; {args.seconds:.0f} s measured after "
              f"{args.warmup:.0f} s warm-up; app: {shown.replace(' --port 0', '')}"
              f" ({args.workers} workers x {threads} threads, "
              + (f"jobs queued to {args.redis} and run between loads" if args.redis else
                 "jobs in the web workers: no REDIS_URL")
              + f"); bare: gunicorn {bare_shown}; "
              f"{machine_load()}", flush=True)
        bare = measure_bare(args, u, seats[0], tmp, threads, env, options)
        print(f"  {'bare insert endpoint (baseline)':34} {bare.rate:7,.0f}/s  "
              f"{bare.latency()} | errors {bare.errors}", flush=True)
        figures = measure(args, app, u, seats, tmp, options, env, bare)
        clean = all(f.clean for f in figures.values())
        print(f"targets (issue 17); {machine_load()}")
        for line in targets(figures, bare, len(seats)):
            print(line)
        print("integrity: " + ("every success answer is one row, numbers gap-free, audit "
                               "chains verify: 0 lost, 0 duplicated" if clean else
                               "MISMATCH (see the lines marked MISMATCH above)"))
        with app.app_context():
            db.engine.dispose()
    print(f"total {time.perf_counter() - total:.0f} s")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
