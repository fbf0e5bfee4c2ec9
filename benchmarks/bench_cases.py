"""Cases benchmark: `python benchmarks/bench_cases.py [--cases N] [--tenants T] [--quick]`.

Why: the board and the case lists must stay fast when a tenant has years of
history, and booking must not be the bottleneck of a busy office. So this seeds a
fresh PostgreSQL database (migrated by the app's own Alembic migrations) with
1,000,000 cases across 100 tenants of uneven size, then measures for the
median-size tenant, through the same functions the pages and the API call:

- the board (``web.board.build_columns``: per-state counts plus the first 50
  cards of each column) and a reference board shape in Core SQL;
- the filtered list (``case_queries.list_cases``: status + assignee, and the
  ``q`` text search), first page of 50, newest first;
- baseline: loading one case by primary key through the same ORM session.

Each figure prints p50/p95 over ``--runs`` runs with its ratio to the baseline,
and the indexes PostgreSQL's plan used (``EXPLAIN (ANALYZE, BUFFERS)``). Target:
p95 <= 50 ms. Indexes declared on the model but missing from the migrations are
created here and named, so a pending migration shows up instead of hiding; the
trigram index for ``q`` is measured before/after as a proposal when absent.

Then booking throughput over HTTP, kept here on purpose: it is the one booking
figure taken against a million-case table (bench_writes.py books into a fresh
database). ``workorders serve`` (gunicorn, 4 workers) and 8 keep-alive clients
post bookings for one tenant for a few seconds, beside a bare Flask app served
the same way whose endpoint only inserts the same row with psycopg (the limit of
the stack). The HTTP harness and the bare app are ``benchmarks/http_load.py``,
shared with ``bench_writes.py``, which measures the whole write path (bookings,
final submissions, corrections, transitions, one tenant and 50). The database is
dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import bisect
import io
import itertools
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from http_load import (
    CASE_COLUMNS,
    ROOT,
    Request,
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
from psycopg.types.json import Jsonb
from sqlalchemy import event, func, select, text

BUNDLE = ROOT / "definitions" / "nordvarme-heatpumps.yaml"
TARGET_P95_MS = 50.0
CARDS = 50

# --------------------------------------------------------------------------- data

FIRST = ["Anna", "Erik", "Lena", "Lars", "Karin", "Johan", "Maria", "Anders", "Eva", "Per",
         "Sara", "Nils", "Ingrid", "Olof", "Emma", "Gustav", "Elin", "Mats", "Sofia", "Björn",
         "Maja", "Henrik", "Linnea", "Oskar", "Astrid", "Viktor", "Hanna", "Axel", "Frida",
         "Magnus"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
        "Bengtsson", "Lindberg", "Lindqvist", "Berg", "Lundgren", "Sandberg", "Holm",
        "Forsberg", "Sjöberg", "Wallin", "Engström", "Lindgren", "Nyström", "Lundin",
        "Björk", "Ekström", "Håkansson", "Sundberg", "Öberg", "Falk", "Strand", "Hedlund",
        "Dahl", "Åberg", "Blom", "Nordin"]
COMPANIES = ["Brf Solgläntan", "Brf Eken", "Fastighets AB Norrbo", "Hyresbostäder i Umeå",
             "Bostads AB Mimer", "Skolfastigheter", "Kyrkans Hus", "Lantgården Ek",
             "Vårdcentralen Norr", "Hotell Kusten"]
CITIES = [("Umeå", "903"), ("Skellefteå", "931"), ("Luleå", "972"), ("Örnsköldsvik", "891"),
          ("Sundsvall", "852"), ("Östersund", "831"), ("Piteå", "941"), ("Lycksele", "921")]
STREETS = ["Storgatan", "Kungsgatan", "Skolgatan", "Järnvägsgatan", "Kyrkogatan", "Björkvägen",
           "Tallvägen", "Granvägen", "Sjövägen", "Ängsvägen", "Industrigatan", "Parkvägen"]
PUMPS = ["NIBE F2120-8", "NIBE F2120-12", "NIBE S1255", "NIBE F1255", "Thermia Atlas",
         "Bosch Compress 7000", "IVT AirX", "Daikin Altherma 3", "Panasonic Aquarea"]
TITLES = {
    "installation": ["Install {p} heat pump", "Replace oil boiler with {p}",
                     "Install {p} with hot water tank", "New {p}, drilling done",
                     "Exchange old pump for {p}"],
    "service": ["Annual service {p}", "Fault: no hot water ({p})", "Noise from outdoor unit",
                "Alarm code on {p}", "Low heat in radiators", "Refrigerant check {p}",
                "Service visit, warranty {p}", "Leaking valve at {p}"],
}
PREFIX = {"installation": "INST", "service": "SERV"}
# (status, cumulative weight) by age band; waiting_for_parts exists for service only
RECENT = [("booked", 25), ("scheduled", 60), ("in_progress", 75), ("waiting_for_parts", 80),
          ("work_done", 90), ("ready_for_invoice", 95), ("cancelled", 100)]
MIDDLE = [("in_progress", 4), ("waiting_for_parts", 7), ("work_done", 17),
          ("ready_for_invoice", 32), ("cancelled", 40), ("invoiced", 100)]
STEPS = {"booked": 1, "scheduled": 2, "in_progress": 3, "waiting_for_parts": 4, "work_done": 4,
         "ready_for_invoice": 5, "invoiced": 6, "cancelled": 2}


def _copy_text(value: str) -> str:
    """Values go into COPY's text format unescaped, so none may need escaping."""
    if any(c in value for c in "\t\n\r\\"):
        raise ValueError(f"value needs COPY escaping: {value!r}")
    return value


@dataclass
class Customer:
    name: str
    customer_json: str
    site_json: str


def customer_pool(rng: random.Random, size: int) -> list[Customer]:
    """Customers recur (a heat pump is installed, then serviced yearly), so cases
    draw from a shared pool; JSON is encoded once per customer, not per case."""
    pool = []
    for i in range(size):
        if rng.random() < 0.12:
            name = f"{rng.choice(COMPANIES)} {i % 97 + 1}"
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        city, postal = rng.choice(CITIES)
        address = {"street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}", "city": city,
                   "postal_code": f"{postal}{rng.randint(10, 99)}", "country": "SE"}
        local = name.lower().replace(" ", ".").translate(str.maketrans("åäö", "aao"))
        customer = {"name": name, "email": f"{local}{i}@example.test",
                    "phone": f"+4670{rng.randint(1000000, 9999999)}", "erp_id": f"C-{10000 + i}",
                    "address": address}
        pool.append(Customer(_copy_text(name),
                             _copy_text(json.dumps(customer, ensure_ascii=False)),
                             _copy_text(json.dumps(address, ensure_ascii=False))))
    return pool


@dataclass
class TenantSeed:
    id: int
    slug: str
    version_id: int = 0
    coordinators: list[tuple[int, str]] = field(default_factory=list)
    technicians: list[tuple[int, str]] = field(default_factory=list)
    cases: int = 0


def tenant_weights(count: int) -> list[float]:
    """Uneven sizes, as in real life: the biggest tenant is ~9x the smallest."""
    return [1.0 / (1.0 + i / 12.0) for i in range(count)]


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def case_rows(rng: random.Random, tenants: list[TenantSeed], total: int, now: float,
              counters: dict[tuple[int, str, int], int]) -> Iterator[str]:
    """COPY text lines for ``total`` cases booked over the past year, in booking
    order across tenants (ids interleave tenants, as they do in production).

    Status follows age: old cases are invoiced or cancelled, the last weeks are
    spread over the open states, so board columns look like a real office's.
    """
    pool = customer_pool(rng, 20_000)
    year = 365 * 86400.0
    cum = list(itertools.accumulate(tenant_weights(len(tenants))))
    owners = rng.choices(range(len(tenants)), cum_weights=cum, k=total)
    times = sorted(rng.uniform(now - year, now - 600) for _ in range(total))
    fields_inst = [json.dumps({"customer_reference": f"PO-{n}", "rot_deduction": n % 3 == 0,
                               **({"property_designation": f"Umeå Tegel {n}:12"}
                                  if n % 3 == 0 else {})}, ensure_ascii=False)
                   for n in range(50)]
    fields_serv = [json.dumps({"under_warranty": n % 4 == 0, "follow_up_required": n % 9 == 0})
                   for n in range(50)]
    titles = {ct: [t.format(p=p) for t in ts for p in PUMPS] for ct, ts in TITLES.items()}
    year_of: dict[int, int] = {}
    for owner, created in zip(owners, times, strict=True):
        tenant = tenants[owner]
        tenant.cases += 1
        case_type = "installation" if rng.random() < 0.4 else "service"
        age_days = (now - created) / 86400
        if age_days > 60:
            status = "invoiced" if rng.random() < 0.92 else "cancelled"
        else:
            table = RECENT if age_days <= 14 else MIDDLE
            r = rng.random() * 100
            status = table[bisect.bisect_right([w for _, w in table], r)][0]
            if status == "waiting_for_parts" and case_type == "installation":
                status = "in_progress"
        unscheduled = (status == "booked" and rng.random() < 0.5) or \
            (status == "cancelled" and rng.random() < 0.4)
        start = end = None
        if not unscheduled:
            day = created + rng.uniform(1, 21) * 86400
            start = day - day % 86400 + rng.choice((6, 7, 9, 12)) * 3600  # UTC, local morning
            end = start + rng.choice((2, 3, 4, 6, 8)) * 3600
        if status == "booked":
            changed = created
        else:
            changed = min(now - 60, max(created, (end or created) + rng.uniform(-0.5, 12) * 86400))
        assignee = None
        if not (status == "booked" and rng.random() < 0.7) and \
                not (status == "cancelled" and rng.random() < 0.5):
            assignee = rng.choice(tenant.technicians)[0]
        prefix = PREFIX[case_type]
        day_key = int(created // 86400)
        yr = year_of.get(day_key)
        if yr is None:
            yr = year_of[day_key] = datetime.fromtimestamp(created, UTC).year
        key = (tenant.id, prefix, yr)
        counters[key] = n = counters.get(key, 0) + 1
        customer = rng.choice(pool)
        fields = rng.choice(fields_inst if case_type == "installation" else fields_serv)
        yield "\t".join((
            str(tenant.id), str(tenant.version_id), case_type, f"{prefix}-{yr}-{n:05d}",
            rng.choice(titles[case_type]), customer.customer_json, customer.site_json,
            customer.name, _ts(start) if start else "\\N", _ts(end) if end else "\\N",
            str(assignee) if assignee else "\\N", fields, status, _ts(changed),
            str(STEPS[status] + rng.choice((0, 0, 0, 1, 2))),
            rng.choice(tenant.coordinators)[1], _ts(created), _ts(changed))) + "\n"


# --------------------------------------------------------------------------- database


def publish_first(app: Any, tenant: TenantSeed, admin_email: str) -> int:
    """The bundle goes through the real validate + draft + publish path once."""
    from workorders.platform.services.definitions import create_draft, publish_version

    with app.app_context():
        draft = create_draft(tenant.id, BUNDLE.read_bytes(), admin_email)
        return int(publish_version(tenant.id, draft.number, admin_email).id)


def seed(app: Any, u: Urls, tenant_count: int, case_count: int) -> list[TenantSeed]:
    """Tenants, people and definition versions with plain SQL (the services would
    send 700 welcome emails), the published version copied row for row from the
    one published through the service, then the cases with COPY."""
    rng = random.Random(20261125)
    now = time.time()
    started = time.perf_counter()
    with psycopg.connect(u.bench) as conn:
        tenants = [TenantSeed(id=row[0], slug=row[1]) for row in conn.execute(
            "INSERT INTO tenants (slug, name, created_at) SELECT 'bench-' || lpad(i::text, 3, '0'),"
            " 'Nordvärme ' || i, now() FROM generate_series(1, %s) i RETURNING id, slug",
            (tenant_count,)).fetchall()]
        tenants.sort(key=lambda t: t.id)
        weights = tenant_weights(tenant_count)
        people: list[tuple[int, str, str, str]] = []  # tenant id, email, name, role
        for t, w in zip(tenants, weights, strict=True):
            expected = case_count * w / sum(weights)
            people.append((t.id, f"admin@{t.slug}.test", "Admin", "admin"))
            people += [(t.id, f"coordinator{k}@{t.slug}.test", f"{FIRST[k]} Coordinator",
                        "coordinator") for k in range(2)]
            people += [(t.id, f"tech{k:02d}@{t.slug}.test",
                        f"{FIRST[k % 30]} {LAST[(k * 7) % 40]}", "technician")
                       for k in range(max(3, int(expected // 1000)))]
        with conn.cursor() as cur:
            ids = [cur.execute(
                "INSERT INTO users (email, name, active, created_at) VALUES (%s, %s, true, now())"
                " RETURNING id", (email, name)).fetchone()[0]  # type: ignore[index]
                for _, email, name, _ in people]
            cur.executemany(
                "INSERT INTO memberships (tenant_id, user_id, roles, name, created_at)"
                " VALUES (%s, %s, %s, %s, now())",
                [(tid, uid, Jsonb([role]), name)
                 for (tid, _, name, role), uid in zip(people, ids, strict=True)])
        by_id = {t.id: t for t in tenants}
        for (tid, email, _, role), uid in zip(people, ids, strict=True):
            if role == "coordinator":
                by_id[tid].coordinators.append((uid, email))
            elif role == "technician":
                by_id[tid].technicians.append((uid, email))
        conn.commit()
    first = publish_first(app, tenants[0], f"admin@{tenants[0].slug}.test")
    with psycopg.connect(u.bench) as conn:
        conn.execute(
            "INSERT INTO definition_versions (tenant_id, number, status, source_text,"
            " source_format, normalized, content_hash, name, warnings, author, created_at,"
            " published_at, published_by)"
            " SELECT t.id, v.number, v.status, v.source_text, v.source_format, v.normalized,"
            " v.content_hash, v.name, v.warnings, 'admin@' || t.slug || '.test', v.created_at,"
            " v.published_at, 'admin@' || t.slug || '.test'"
            " FROM definition_versions v CROSS JOIN tenants t"
            " WHERE v.id = %s AND t.id <> v.tenant_id", (first,))
        for tid, vid in conn.execute("SELECT tenant_id, id FROM definition_versions"):
            by_id[tid].version_id = vid
        conn.commit()
    print(f"seed: {tenant_count} tenants, {len(people)} people, definition versions "
          f"({time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    counters: dict[tuple[int, str, int], int] = {}
    with psycopg.connect(u.bench) as conn:
        try:  # FK triggers off for the load (the rows are consistent; superuser only)
            conn.execute("SET session_replication_role = replica")
        except psycopg.Error:
            conn.rollback()
        with conn.cursor() as cur, cur.copy(f"COPY cases ({CASE_COLUMNS}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for i, row in enumerate(case_rows(rng, tenants, case_count, now, counters), 1):
                buffer.write(row)
                if i % 20_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        conn.execute("SET session_replication_role = DEFAULT")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO case_counters (tenant_id, prefix, year, last)"
                            " VALUES (%s, %s, %s, %s)",
                            [(*k, v) for k, v in sorted(counters.items())])
        conn.commit()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(u.bench, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('cases'))").fetchone()
    print(f"seed: {case_count:,} cases with COPY in {loaded:.1f} s "
          f"({case_count / loaded:,.0f} rows/s); VACUUM ANALYZE {time.perf_counter() - started:.1f}"
          f" s; cases table with indexes: {size[0] if size else '?'}")
    return tenants


#: indexes only a hand-written migration makes (0007's trigram index): not drift
NOT_IN_MODELS = {"ix_cases_search_trgm"}


def sync_model_indexes(app: Any) -> tuple[list[str], list[str]]:
    """Make the cases indexes what models/cases.py declares, whatever the
    migrations say: an index change under review is measured as it would land,
    and a pending migration is named loudly instead of hiding. Answers the
    (created, dropped) index names."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Case

    declared = {index.name: index for index in Case.__table__.indexes}
    created, dropped = [], []
    with app.app_context():
        existing = {name for (name,) in db.session.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'cases'"))}
        db.session.rollback()
        with db.engine.begin() as conn:
            for name in sorted(n for n in declared if n not in existing):
                declared[name].create(conn)
                created.append(str(name))
            for name in sorted(n for n in existing if n.startswith("ix_cases_")
                               and n not in declared and n not in NOT_IN_MODELS):
                conn.execute(text(f'DROP INDEX "{name}"'))
                dropped.append(name)
            if created or dropped:
                conn.execute(text("ANALYZE cases"))
    return created, dropped


# --------------------------------------------------------------------------- queries


@dataclass
class Figure:
    label: str
    p50: float
    p95: float
    plans: list[str]


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def plan_summary(plan: dict[str, Any]) -> str:
    """Access paths on the tables (index names, or a seq scan), time, buffers."""
    root = plan["Plan"]
    paths = []
    for node in _walk(root):
        kind = node["Node Type"]
        if "Index Name" in node:
            paths.append(f"{kind} using {node['Index Name']}")
        elif kind == "Seq Scan":
            paths.append(f"Seq Scan on {node['Relation Name']}")
    seen = list(dict.fromkeys(paths))
    return (f"{'; '.join(seen) or root['Node Type']} | exec {plan['Execution Time']:.2f} ms,"
            f" buffers hit {root.get('Shared Hit Blocks', 0)} read "
            f"{root.get('Shared Read Blocks', 0)}")


@contextmanager
def captured_sql(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
             _executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def measure(label: str, work: Callable[[int], Any], runs: int, *, explain: bool = True,
            ) -> Figure:
    """p50/p95 of ``work`` in a fresh session state each run (nothing served from
    the identity map), then EXPLAIN (ANALYZE, BUFFERS) of the SQL one run sent."""
    from workorders.platform.extensions import db

    def once(i: int) -> float:
        start = time.perf_counter()
        work(i)
        elapsed = (time.perf_counter() - start) * 1000
        db.session.rollback()
        db.session.expunge_all()
        return elapsed

    for i in range(min(10, runs)):
        once(i)
    times = [once(i) for i in range(runs)]
    plans = []
    if explain:
        with captured_sql(db.engine) as statements:
            work(0)
        db.session.rollback()
        conn = db.session.connection()
        for statement, params in statements:
            (raw,) = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params).one()
            plans.append(plan_summary((json.loads(raw) if isinstance(raw, str) else raw)[0]))
        db.session.rollback()
    return Figure(label, percentile(times, 0.5), percentile(times, 0.95), plans)


def report(figure: Figure, baseline: Figure, *, target: bool = True,
           before: Figure | None = None) -> None:
    verdict = ""
    if target:
        verdict = f"  target p95 <= {TARGET_P95_MS:.0f} ms: " + \
            ("met" if figure.p95 <= TARGET_P95_MS else "MISSED")
    if before is not None:
        verdict += f"  (before: p95 {before.p95:.2f} ms; speed-up {before.p95 / figure.p95:.1f}x)"
    print(f"  {figure.label:52} p50 {figure.p50:7.2f} ms  p95 {figure.p95:7.2f} ms | "
          f"{baseline.label} p95 {baseline.p95:5.2f} ms | ratio {figure.p95 / baseline.p95:6.1f}"
          f"{verdict}")
    plans = figure.plans
    if not plans:
        return
    if len(plans) > 3:  # the board: counts, then one statement per column
        shown = [plans[0], *sorted(plans[1:], key=lambda p: -float(
            p.split("exec ")[1].split(" ms")[0]))[:2]]
        print(f"      plan (counts + {len(plans) - 1} column statements; the 2 slowest shown):")
    else:
        shown = plans
        print("      plan:")
    for line in shown:
        print(f"        {line}")


def reference_board(tenant_id: int, case_type: Any) -> list[tuple[str, int, list[Any]]]:
    """The shape a board needs, in Core: per-state counts with one GROUP BY over
    the board index, then the first 50 cards per column (card columns only)."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Case

    where = (Case.tenant_id == tenant_id, Case.case_type == case_type.id)
    counts = dict(db.session.execute(
        select(Case.status, func.count()).where(*where).group_by(Case.status)).all())
    columns = []
    for state in case_type.lifecycle.states:
        if not counts.get(state.id):
            continue
        order = Case.status_changed_at.desc() if state.final else Case.status_changed_at.asc()
        cards = db.session.execute(
            select(Case.id, Case.number, Case.title, Case.customer_name, Case.assignee_id,
                   Case.scheduled_end, Case.status_changed_at)
            .where(*where, Case.status == state.id).order_by(order, Case.id).limit(CARDS)).all()
        columns.append((state.id, counts[state.id], list(cards)))
    return columns


@dataclass
class QueryContext:
    actor: Any
    tenant: TenantSeed
    case_ids: list[int]
    surname: str
    number: str


def query_context(app: Any, tenant: TenantSeed) -> QueryContext:
    from workorders.platform.auth import Actor
    from workorders.platform.extensions import db
    from workorders.platform.models import Case

    uid, email = tenant.coordinators[0]
    actor = Actor(tenant_id=tenant.id, tenant_slug=tenant.slug, tenant_name=tenant.slug,
                  user_id=uid, email=email, name="Coordinator",
                  roles=frozenset({"coordinator"}))
    with app.app_context():
        ids = list(db.session.execute(select(Case.id).where(Case.tenant_id == tenant.id)
                                      .order_by(func.random()).limit(500)).scalars())
        number = db.session.execute(select(Case.number).where(Case.id == ids[0])).scalar_one()
    return QueryContext(actor, tenant, ids, "lindqvist", number)


Workload = Callable[[int], Any]


def workloads(ctx: QueryContext, *, only_search: bool = False) -> dict[str, tuple[str, Workload]]:
    """The measured calls, keyed; each takes the run number to vary its inputs.
    Must be called inside an app context."""
    from workorders.platform.services.case_queries import CaseFilters, list_cases
    from workorders.platform.services.definitions import bundle_of, current_version

    version = current_version(ctx.tenant.id)
    assert version is not None
    service = bundle_of(version).case_type("service")
    assert service is not None
    techs = [email for _, email in ctx.tenant.technicians]
    found: dict[str, tuple[str, Workload]] = {}
    if not only_search:
        try:
            from workorders.platform.web.board import BoardFilters, build_columns
        except ImportError:  # the board page is not there yet: the reference shape stands
            pass
        else:
            found["board"] = ("board build_columns (service, no filter)",
                              lambda i: build_columns(ctx.actor, service, BoardFilters()))
            found["board_assignee"] = (
                "board build_columns (assignee filter)",
                lambda i: build_columns(ctx.actor, service,
                                        BoardFilters(assignee=techs[i % len(techs)])))
            found["board_q"] = ("board build_columns (q=surname)",
                                lambda i: build_columns(ctx.actor, service,
                                                        BoardFilters(q=ctx.surname)))
        found["board_ref"] = ("board reference shape (Core, card columns)",
                              lambda i: reference_board(ctx.tenant.id, service))
        found["list_open"] = ("list status=scheduled + assignee",
                              lambda i: list_cases(ctx.actor, CaseFilters(
                                  status="scheduled", assignee=techs[i % len(techs)]), 50, None))
        found["list_final"] = ("list status=invoiced + assignee",
                               lambda i: list_cases(ctx.actor, CaseFilters(
                                   status="invoiced", assignee=techs[i % len(techs)]), 50, None))
    for key, label, q in (("q_common", "list q=surname (common)", ctx.surname),
                          ("q_rare", "list q=case number (rare)", ctx.number),
                          ("q_none", "list q=no match (worst case)", "zzqx")):
        found[key] = (label, _search(ctx, CaseFilters(q=q)))
    return found


def _search(ctx: QueryContext, filters: Any) -> Workload:
    from workorders.platform.services.case_queries import list_cases

    return lambda i: list_cases(ctx.actor, filters, 50, None)


def pk_baseline(ctx: QueryContext) -> Workload:
    """One case by primary key through the same session: the app's cheapest read."""
    from workorders.platform.extensions import db
    from workorders.platform.models import Case

    return lambda i: db.session.execute(select(Case).where(
        Case.id == ctx.case_ids[i % len(ctx.case_ids)])).scalar_one()


def query_figures(app: Any, ctx: QueryContext, runs: int, *, only_search: bool = False,
                  explain: bool = True) -> tuple[Figure, dict[str, Figure]]:
    with app.app_context():
        baseline = measure("load by primary key", pk_baseline(ctx), runs, explain=explain)
        figures = {key: measure(label, work, runs, explain=explain)
                   for key, (label, work) in workloads(ctx, only_search=only_search).items()}
    return baseline, figures


@contextmanager
def definition_selectin() -> Iterator[None]:
    """Every ORM select of Case loads ``Case.definition`` with selectinload, as if
    the relationship were declared ``lazy="selectin"``: the version row (source
    text and the normalized bundle as JSONB, tens of kB) is then read and decoded
    once per statement instead of once per case row by the joined eager load."""
    from sqlalchemy.orm import ORMExecuteState, Session, selectinload

    from workorders.platform.models import Case

    def add_option(state: ORMExecuteState) -> None:
        descriptions = getattr(state.statement, "column_descriptions", ())
        if state.is_select and not state.is_relationship_load and any(
                d.get("expr") is Case for d in descriptions):
            state.statement = state.statement.options(selectinload(Case.definition))

    event.listen(Session, "do_orm_execute", add_option)
    try:
        yield
    finally:
        event.remove(Session, "do_orm_execute", add_option)


def definition_is_joined() -> bool:
    from workorders.platform.models import Case

    return bool(Case.__mapper__.relationships["definition"].lazy == "joined")


TRIGRAM_INDEX = ("CREATE INDEX ix_cases_search_trgm ON cases USING gin "
                 "(number gin_trgm_ops, title gin_trgm_ops, customer_name gin_trgm_ops)")


def has_trigram_index(app: Any) -> bool:
    from workorders.platform.extensions import db

    with app.app_context():
        found = db.session.execute(text(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'cases'"
            " AND indexdef ILIKE '%gin_trgm_ops%'")).scalar_one()
        db.session.rollback()
    return bool(found)


def create_trigram_index(u: Urls) -> float:
    started = time.perf_counter()
    with psycopg.connect(u.bench, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute(TRIGRAM_INDEX)
        conn.execute("ANALYZE cases")
    return time.perf_counter() - started


# --------------------------------------------------------------------------- HTTP


def http_figures(app: Any, u: Urls, tenant: TenantSeed, clients: int, workers: int,
                 seconds: float, tmp: Path) -> None:
    """Bookings for one tenant of the million-case database (the harness and the
    bare endpoint are benchmarks/http_load.py's, shared with bench_writes.py)."""
    from workorders.platform.services.accounts import create_token

    coordinator = tenant.coordinators[1][1]
    with app.app_context():
        _, token = create_token(tenant.slug, coordinator, label="bench")
    tech_id, tech_email = tenant.technicians[0]
    body = booking_body(tech_email)
    app_body = json.dumps(body).encode()
    bare_body = json.dumps({**body, "tenant_id": tenant.id,
                            "definition_version_id": tenant.version_id,
                            "assignee_id": tech_id}).encode()
    create_bare_table(u.bench)
    with psycopg.connect(u.bench, autocommit=True) as conn:
        before = conn.execute("SELECT count(*), count(DISTINCT number) FROM cases"
                              " WHERE created_by = %s", (coordinator,)).fetchone()
    env = server_env(u, tmp / "server")
    options = serve_options(env)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    booking = Request("/api/v1/cases", app_body, headers)
    bare_request = Request("/bare/cases", bare_body, {"Content-Type": "application/json"})
    port = free_port()
    warmup = 2.0
    with served(options.command(port, workers, None), env, tmp / "serve.log", port):
        ours = hammer(port, lambda _: booking, clients, seconds, warmup)
    port = free_port()
    with served(bare_command(port, workers, options.threads(None), options), env, tmp / "bare.log",
                port):
        bare = hammer(port, lambda _: bare_request, clients, seconds, warmup)
    with psycopg.connect(u.bench, autocommit=True) as conn:
        after = conn.execute("SELECT count(*), count(DISTINCT number) FROM cases"
                             " WHERE created_by = %s", (coordinator,)).fetchone()
        audit = conn.execute("SELECT count(*) FROM audit_events WHERE actor = %s"
                             " AND action = 'booked'", (coordinator,)).fetchone()
    assert before is not None and after is not None and audit is not None
    made = after[0] - before[0]
    print(f"  {'bookings over the API (' + str(clients) + ' clients)':40} {ours.rate:8,.0f}/s  "
          f"{ours.latency()} | bare insert endpoint {bare.rate:8,.0f}/s  {bare.latency()} | "
          f"ratio {ours.rate / bare.rate if bare.rate else float('nan'):5.2f}")
    verdict = "0 lost, 0 duplicated" if made == after[1] - before[1] == audit[0] == \
        ours.ok_total else "MISMATCH"
    print(f"      measured answers {ours.codes()}; bare errors {bare.errors}; incl. warm-up: "
          f"{ours.ok_total} answered 201, {made} cases written, "
          f"{after[1] - before[1]} distinct numbers, {audit[0]} 'booked' audit events: {verdict}")
    if ours.errors:
        print(f"      {ours.errors} non-201 answers; last server error: "
              f"{last_error(tmp / 'serve.log')}")


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="50,000 cases, shorter load runs")
    parser.add_argument("--runs", type=int, default=200, help="runs per query figure")
    parser.add_argument("--seconds", type=float, default=None,
                        help="measured seconds per HTTP load (10; 5 with --quick)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="workorders_bench")
    parser.add_argument("--postgres", default=os.environ.get(
        "WORKORDERS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a maintenance database URL on the server to use (env WORKORDERS_BENCH_POSTGRES_URL)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if args.quick:
        args.cases = 50_000
    if args.seconds is None:
        args.seconds = 5.0 if args.quick else 10.0

    from workorders.platform import create_app
    from workorders.platform.bootstrap import init_database
    from workorders.platform.extensions import db

    u = urls(args.postgres, args.database)
    total = time.perf_counter()
    recreate_database(u, args.database)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmpdir:
            tmp = Path(tmpdir)
            app = create_app({"database_url": u.sqlalchemy, "instance_dir": tmp / "app",
                              "secret_key": "bench-secret"})
            revision = init_database(app)
            print(f"database {args.database} migrated to {revision}")
            tenants = seed(app, u, args.tenants, args.cases)
            created, dropped = sync_model_indexes(app)
            for name in created:
                print(f"!! index {name} is declared in models/cases.py but no migration "
                      "creates it: created here; write its migration")
            for name in dropped:
                print(f"!! index {name} is created by the migrations but models/cases.py no "
                      "longer declares it: dropped here; write its migration")
            ranked = sorted(tenants, key=lambda t: t.cases)
            tenant, biggest = ranked[len(ranked) // 2], ranked[-1]
            ctx, big = query_context(app, tenant), query_context(app, biggest)
            print(f"queries: median tenant {tenant.slug} ({tenant.cases:,} cases, "
                  f"{len(tenant.technicians)} technicians; largest {biggest.cases:,}), "
                  f"{args.runs} runs each, ORM through the app's session; {machine_load()}")
            current = {"median": query_figures(app, ctx, args.runs)}
            for figure in current["median"][1].values():
                report(figure, current["median"][0])
            print(f"search in the largest tenant {biggest.slug} ({biggest.cases:,} cases)")
            current["largest"] = query_figures(app, big, args.runs, only_search=True)
            for figure in current["largest"][1].values():
                report(figure, current["largest"][0])
            selectin: Callable[[], Any] = nullcontext
            if definition_is_joined():
                selectin = definition_selectin
                print("proposal (models/cases.py, not an index): Case.definition "
                      "lazy=\"selectin\" instead of \"joined\"; measured by adding "
                      "selectinload(Case.definition) to every select of Case")
                with selectin():
                    proposed = {"median": query_figures(app, ctx, args.runs, explain=False)}
                    proposed["largest"] = query_figures(app, big, args.runs, only_search=True,
                                                        explain=False)
                for name, (base, figures) in proposed.items():
                    print(f"  with it, {name} tenant:")
                    for key, figure in figures.items():
                        report(figure, base, before=current[name][1][key])
                current = proposed
            if not has_trigram_index(app):
                built = create_trigram_index(u)
                print(f"proposal: pg_trgm GIN index for q (built in {built:.1f} s; needs "
                      f"CREATE EXTENSION pg_trgm): {TRIGRAM_INDEX}")
                with selectin():
                    after = {"median": query_figures(app, ctx, args.runs, only_search=True),
                             "largest": query_figures(app, big, args.runs, only_search=True)}
                for name, (base, figures) in after.items():
                    print(f"  with it, {name} tenant"
                          f"{' (and the selectin proposal)' if definition_is_joined() else ''}:")
                    for key, figure in figures.items():
                        report(figure, base, before=current[name][1][key])
            print(f"booking over HTTP: tenant {tenant.slug}, {args.clients} clients, "
                  f"{args.workers} gunicorn workers, {args.seconds:.0f} s each "
                  f"after 2 s warm-up; {machine_load()}")
            http_figures(app, u, tenant, args.clients, args.workers, args.seconds, tmp)
            with app.app_context():
                db.engine.dispose()
    finally:
        if args.keep:
            print(f"kept database {args.database} ({u.sqlalchemy})")
        else:
            recreate_database(u, args.database, drop_only=True)
        print(f"total {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
