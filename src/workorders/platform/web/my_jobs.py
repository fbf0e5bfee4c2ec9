"""My jobs: the technician's home on a phone. Today's jobs first, then what is
overdue or left from earlier days, then what is coming.

Each job carries what the technician needs on the doorstep: the window, the
customer, the address as a maps link, a call button, the access notes and one
primary button for the next step (``job_steps.next_step``: Start and Complete
post the transition right here, with the CSRF token and the case version;
Start then opens the first form to fill).

Days are the display zone's days (see ``display``), so a job at 00:30 local time
is today's job, not yesterday's in UTC. Finished work (a work-complete state or
later) and final states are left out: this page answers "where do I go next?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import render_template
from sqlalchemy import select

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import CaseType
from workorders.platform.actor import Actor
from workorders.platform.auth import current_actor
from workorders.platform.extensions import db
from workorders.platform.models import Case
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.case_queries import case_view
from workorders.platform.services.definitions import bundle_of
from workorders.platform.services.field_work import last_on_my_way, on_my_way_offered
from workorders.platform.web import web
from workorders.platform.web.display import display_zone, week_bounds
from workorders.platform.web.field_work import NextStepButton, next_step_button
from workorders.platform.web.job_steps import maps_url

MAX_JOBS = 300


@dataclass
class Job:
    case: Case
    case_type: CaseType
    status_label: str
    my_turn: bool
    overdue: bool = False
    step: NextStepButton | None = None
    maps: str | None = None
    on_my_way: bool = False


@dataclass
class Group:
    key: str
    title: str
    jobs: list[Job] = field(default_factory=list)


def _with_step(actor: Actor, job: Job) -> Job:
    loaded = LoadedCase(job.case, bundle_of(job.case.definition), job.case_type)
    # after Start, the form the job waits for opens directly (one tap saved)
    job.step = next_step_button(loaded, case_view(actor, loaded), may_fill=True,
                                open_form_after=True)
    job.maps = maps_url(job.case.site)
    job.on_my_way = (on_my_way_offered(actor, loaded)
                     and last_on_my_way(job.case.id, job.case.tenant_id) is None)
    return job


def _open_jobs(user_id: int, tenant_id: int) -> list[Job]:
    rows = db.session.execute(
        select(Case).where(Case.tenant_id == tenant_id, Case.assignee_id == user_id)
        .order_by(Case.scheduled_start.is_(None), Case.scheduled_start, Case.id)
        .limit(MAX_JOBS)).scalars()
    jobs = []
    for case in rows:
        case_type = bundle_of(case.definition).case_type(case.case_type)
        state = case_type.lifecycle.state(case.status) if case_type else None
        if case_type is None or state is None or state.final:
            continue
        if is_work_complete_or_later(case_type, case.status):
            continue
        jobs.append(Job(case, case_type, state.label, my_turn=state.owner == "assignee"))
    return jobs


def group_jobs(jobs: list[Job], now: datetime) -> list[Group]:
    local_now = now.astimezone(display_zone())
    today = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + timedelta(days=1)
    _, week_end = week_bounds(local_now)
    groups = {g.key: g for g in (
        Group("today", "Today's jobs"), Group("earlier", "Overdue or from earlier days"),
        Group("week", "Later this week"), Group("later", "Later"),
        Group("unscheduled", "Not scheduled yet"))}
    for job in jobs:
        start, end = job.case.scheduled_start, job.case.scheduled_end
        if start is None:
            key = "unscheduled"
        elif start < today:
            key = "today" if end is not None and end >= today else "earlier"
        elif start < tomorrow:
            key = "today"
        elif start < week_end:
            key = "week"
        else:
            key = "later"
        job.overdue = start is not None and (end or start) < now
        groups[key].jobs.append(job)
    return list(groups.values())


@web.get("/my")
def my_jobs() -> Any:
    actor = current_actor()
    now = datetime.now(UTC)
    jobs = [_with_step(actor, j) for j in _open_jobs(actor.user_id, actor.tenant_id)]
    groups = group_jobs(jobs, now)
    return render_template("my_jobs.html", groups=groups, now=now,
                           total=sum(len(g.jobs) for g in groups))
