"""Migration benchmark: `python benchmarks/bench_migration.py [--cases N] [--keep]`.

Why: a service company that changes its lifecycle moves all its open cases at
once, and the move must not take the office down for an afternoon. So this seeds
a fresh PostgreSQL database (migrated by the app's own Alembic migrations) with
``--cases`` open service cases (10,000 by default) on version 1 of the Nordvärme
example, spread over its open states, those past "in progress" with a final
service report; publishes a version 2 that renames "Waiting for parts" to
"On hold" and changes a rule; then measures, through the same service functions
the API and the CLI call:

- the dry run (``case_migration.dry_run``): select, read and plan every case;
- the apply (``case_migration_apply.apply_migration``, as the CLI runs it): plan,
  then per case one transaction: lock, re-plan, move, audit event, rules re-run
  on trigger ``migrate``;
- baseline (the limit): a bare ``UPDATE`` of the same rows' version and state,
  one transaction per row as the apply does, with psycopg (and, for scale, one
  ``UPDATE`` of all the rows at once).

Each prints cases/s and its ratio to the per-row UPDATE. Without a reachable
PostgreSQL it says so and exits 0 (nothing to measure). The database is dropped
at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "definitions" / "nordvarme-heatpumps.yaml"
STATES = ["booked", "scheduled", "in_progress", "waiting_for_parts", "work_done"]
REPORTED = {"in_progress", "work_done"}
ADMIN = "admin@bench.test"


def version_two(text: str) -> str:
    """Waiting for parts becomes On hold; the customer-quote threshold changes."""
    return (text.replace("waiting_for_parts", "on_hold")
            .replace("label: Waiting for parts", "label: On hold")
            .replace("op: gt, value: 15000}", "op: gt, value: 12000}"))


def report(rng: random.Random) -> dict[str, Any]:
    hours = rng.choice(["1", "1.5", "2", "3", "4"])
    return {"fault_category": rng.choice(["annual_service", "no_heat", "noise"]),
            "time": [{"date": "2026-11-20", "hours": hours, "labor": "service"},
                     {"date": "2026-11-20", "hours": "0.5", "labor": "travel"}],
            "materials": [{"article": "FLT-MAG22", "quantity": "1"}],
            "work_description": "Cleaned the filters and checked the pressure",
            "resolved": rng.random() < 0.7}


def postgres_problem(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def seed(app: Any, bench_url: str, count: int) -> tuple[int, int]:
    """A tenant, its admin, version 1 published through the service, then the cases
    and their reports with COPY; version 2 published. Answers (tenant, v1 id)."""
    import psycopg

    from workorders.platform.services.accounts import create_tenant, create_user
    from workorders.platform.services.definitions import create_draft, publish_version

    rng = random.Random(20261204)
    text = BUNDLE.read_text(encoding="utf-8")
    with app.app_context():
        tenant = create_tenant("bench", "Nordvärme bench").id
        create_user("bench", ADMIN, ["admin"], password="bench password 123")
        v1 = publish_version(tenant, create_draft(tenant, text.encode(), ADMIN).number, ADMIN)
        v1_id = v1.id
    customer = json.dumps({"name": "Lena Berg", "email": "lena@example.test",
                           "erp_id": "C-1001"})
    now = datetime.now(UTC)
    with psycopg.connect(bench_url) as conn, conn.cursor() as cur:
        with cur.copy("COPY cases (tenant_id, definition_version_id, case_type, number, title,"
                      " customer, site, customer_name, fields, status, status_changed_at,"
                      " version, created_by, created_at, updated_at) FROM STDIN") as copy:
            for n in range(1, count + 1):
                at = (now - timedelta(minutes=n)).isoformat()
                copy.write_row((tenant, v1_id, "service", f"SERV-2026-{n:05d}",
                                "Annual service", customer, "{}", "Lena Berg",
                                json.dumps({"under_warranty": n % 4 == 0}),
                                STATES[n % len(STATES)], at, 3, ADMIN, at, at))
        cases = cur.execute("SELECT id, status FROM cases WHERE tenant_id = %s",
                            (tenant,)).fetchall()
        with cur.copy("COPY submissions (tenant_id, case_id, definition_version_id, form_id,"
                      " revision, kind, data, warnings, author, created_at) FROM STDIN") as copy:
            for case_id, status in cases:
                if status in REPORTED:
                    copy.write_row((tenant, case_id, v1_id, "service_visit", 1, "final",
                                    json.dumps(report(rng)), "[]", ADMIN, now.isoformat()))
        conn.commit()
    with app.app_context():
        v2 = create_draft(tenant, version_two(text).encode(), ADMIN)
        publish_version(tenant, v2.number, ADMIN)
    return tenant, v1_id


def bare_updates(bench_url: str, rows: list[tuple[int, int, str]]) -> tuple[float, float]:
    """Seconds for one UPDATE per row, each in its own transaction, and for one
    UPDATE of every row: the same columns the migration changes."""
    import psycopg

    with psycopg.connect(bench_url) as conn:
        started = time.perf_counter()
        for case_id, version_id, status in rows:
            conn.execute("UPDATE cases SET definition_version_id = %s, status = %s,"
                         " version = version + 1, updated_at = now() WHERE id = %s",
                         (version_id, status, case_id))
            conn.commit()
        per_row = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("UPDATE cases SET definition_version_id = data.v, status = data.s,"
                     " version = version + 1, updated_at = now() FROM (SELECT unnest(%s::int[])"
                     " AS id, unnest(%s::int[]) AS v, unnest(%s::text[]) AS s) AS data"
                     " WHERE cases.id = data.id",
                     ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]))
        conn.commit()
        return per_row, time.perf_counter() - started


def line(label: str, cases: int, seconds: float, base: float | None = None) -> None:
    rate = cases / seconds
    ratio = f" | {rate / base:5.2f}x the per-row UPDATE" if base else ""
    print(f"  {label:44} {cases:6,} cases in {seconds:6.1f} s = {rate:8,.0f} cases/s{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--database", default="workorders_bench_migration")
    parser.add_argument("--postgres", default=os.environ.get(
        "WORKORDERS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a maintenance database URL (env WORKORDERS_BENCH_POSTGRES_URL)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    problem = postgres_problem(args.postgres)
    if problem:
        print(f"migration benchmark skipped: PostgreSQL is unreachable at {args.postgres} "
              f"({problem}); set WORKORDERS_BENCH_POSTGRES_URL")
        return 0
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_cases import recreate_database, urls

    from workorders.platform import create_app
    from workorders.platform.bootstrap import init_database
    from workorders.platform.extensions import db
    from workorders.platform.services.case_migration import dry_run
    from workorders.platform.services.case_migration_apply import apply_migration

    u = urls(args.postgres, args.database)
    total = time.perf_counter()
    recreate_database(u, args.database)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-migration-") as tmp:
            app = create_app({"database_url": u.sqlalchemy, "instance_dir": Path(tmp) / "app",
                              "secret_key": "bench-secret", "jobs_sync": True})
            init_database(app)
            tenant, v1_id = seed(app, u.bench, args.cases)
            body = {"state_map": {"waiting_for_parts": "on_hold"}, "dry_run": True,
                    "comment": "Waiting for parts is now On hold"}
            load = os.getloadavg()
            print(f"migration of {args.cases:,} open cases, version 1 -> 2 on PostgreSQL; "
                  f"load average {load[0]:.1f} on {os.cpu_count()} CPUs")
            with app.app_context():
                started = time.perf_counter()
                report = dry_run(tenant, 2, body)
                dry = time.perf_counter() - started
                started = time.perf_counter()
                result = apply_migration(tenant, 2, {**body, "dry_run": False}, ADMIN)
                applied = time.perf_counter() - started
                db.session.remove()
            moved = result["totals"]["migrated"]
            assert report["totals"]["cases"] == args.cases, report["totals"]
            assert moved == args.cases, result["totals"]
            rows = [(c["case_id"], v1_id, c["from_state"]) for c in result["cases"]]
            per_row, one = bare_updates(u.bench, rows)  # back to version 1, row by row
            base = args.cases / per_row
            line("dry run (select, read, plan; writes nothing)", args.cases, dry, base)
            line("apply (lock, move, audit, rules on migrate)", moved, applied, base)
            line("baseline: bare UPDATE, one transaction per row", args.cases, per_row)
            line("baseline: one UPDATE of all the rows", args.cases, one, base)
            with app.app_context():
                db.engine.dispose()
    finally:
        if args.keep:
            print(f"kept database {args.database} ({u.sqlalchemy})")
        else:
            recreate_database(u, args.database, drop_only=True)
        print(f"total {time.perf_counter() - total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
