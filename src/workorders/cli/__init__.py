"""The ``workorders`` command: bootstrap, serve, work, and operate.

Each command builds the app from the environment (see docs/running.md) and
calls the same services the API uses, so the CLI can never do something the
product's rules would refuse.
"""

from __future__ import annotations

import os
import sys

import click

from workorders.cli.admin import tenants, tokens, users
from workorders.cli.definitions import definitions
from workorders.cli.migrate import migrate
from workorders.cli.ops import audit, reconcile
from workorders.cli.secrets import secrets
from workorders.cli.support import build_app, friendly_errors


@click.group()
@click.version_option(package_name="workorders")
def main() -> None:
    """workorders: service work orders from booking to invoice-ready ERP data."""


@main.command()
@friendly_errors
def init() -> None:
    """Create or migrate the database (safe to run again)."""
    from workorders.platform.bootstrap import init_database

    app = build_app()
    revision = init_database(app)
    click.echo(f"database ready at revision {revision}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, default=None,
              help="gunicorn processes [default: one per CPU, at least 2]")
@click.option("--threads", type=int, default=None,
              help="threads (and connections at once) per process [default: 2]")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="log one line per request to stdout")
def serve(host: str, port: int, workers: int | None, threads: int | None,
          access_log: bool) -> None:
    """Serve the app with gunicorn (jobs run in-process unless REDIS_URL is set)."""
    from workorders.platform.server import serve_app, serve_plan

    plan = serve_plan(os.cpu_count() or 1, workers, threads)
    click.echo(f"Serving at http://{host}:{port} with {_count(plan.workers, 'process')} x "
               f"{_count(plan.threads, 'thread')} ({_count(os.cpu_count() or 1, 'CPU')}; "
               "docs/performance.md says why)")
    if not os.environ.get("REDIS_URL"):
        click.echo("No REDIS_URL: background jobs (messages, exports) run inside these web "
                   "processes, right after each commit, and take their CPU from requests. "
                   "For production set REDIS_URL and run `workorders worker` beside this "
                   "(docs/running.md, docs/performance.md).")
    sys.stdout.flush()
    serve_app(host=host, port=port, workers=plan.workers, threads=plan.threads,
              access_log=access_log)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "es" if word.endswith("s") else "s")


@main.command()
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then exit.")
def worker(burst: bool) -> None:
    """Run an rq worker for the configured Redis (REDIS_URL)."""
    from workorders.platform.jobs.worker import run_worker

    run_worker(build_app(), burst=burst)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo data and exit.")
@friendly_errors
def demo(host: str, port: int, no_serve: bool) -> None:
    """Prepare the database, load the demo tenant and serve the app."""
    from workorders.platform.demo import load_demo

    # links in the demo's emails must reach this server; the served app reads it too
    if not os.environ.get("WORKORDERS_PUBLIC_URL"):
        os.environ["WORKORDERS_PUBLIC_URL"] = f"http://{_reachable(host)}:{port}"
    app = build_app()
    logins = load_demo(app)
    click.echo("Demo workspace ready. Sign in at "
               f"http://{host}:{port}/login with one of these logins:")
    for login in logins:
        click.echo(f"  {login['role']:<12} {login['email']:<32} password: {login['password']}"
                   f"  ({login['tenant']})")
    if not no_serve:
        click.echo(f"Serving at http://{host}:{port} (Ctrl+C stops it)")
        sys.stdout.flush()
        from workorders.platform.server import serve_app

        serve_app(host=host, port=port, workers=1)


def _reachable(host: str) -> str:
    """A host a browser on this machine can open: not a listen-on-everything address."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


main.add_command(tenants)
main.add_command(users)
main.add_command(tokens)
main.add_command(secrets)
main.add_command(definitions)
main.add_command(audit)
main.add_command(reconcile)
definitions.add_command(migrate)  # issue 14: workorders definitions migrate
