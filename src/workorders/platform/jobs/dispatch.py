"""Getting committed outbox rows to something that runs them.

With ``REDIS_URL`` set, each committed job id is enqueued to rq; when Redis is
unreachable the row simply stays pending and a sweeper enqueues it later.
Without Redis (the embedded default) jobs run in this process right after the
commit, on a background thread, or inline when ``JOBS_SYNC`` is set (tests).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy.orm import Session

from workorders.platform.config import settings_of
from workorders.platform.jobs.outbox import NEW_JOBS_KEY
from workorders.platform.jobs.runner import due_job_ids, run_job
from workorders.platform.listeners import Listeners

log = logging.getLogger(__name__)
RQ_JOB_FUNCTION = "workorders.platform.jobs.worker.run_outbox_job"


class Dispatcher(Protocol):
    def dispatch(self, job_ids: list[int]) -> bool:
        """Hand on jobs this process has just committed; True when they have run by
        the time this returns."""

    def redispatch(self, job_ids: list[int]) -> bool:
        """Hand on due jobs found in the outbox (retries, jobs Redis missed): some
        may be waiting in the queue already."""

    def wait(self, timeout: float | None = None) -> None: ...


class InProcessDispatcher:
    def __init__(self, app: Flask, synchronous: bool = False) -> None:
        self.app = app
        self.synchronous = synchronous
        self._executor: ThreadPoolExecutor | None = None
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs")
            return self._executor

    def dispatch(self, job_ids: list[int]) -> bool:
        for job_id in job_ids:
            if self.synchronous:
                run_job(self.app, job_id)
            else:
                fut = self._pool().submit(run_job, self.app, job_id)
                with self._lock:
                    self._futures = [f for f in self._futures if not f.done()] + [fut]
        return self.synchronous and bool(job_ids)

    def redispatch(self, job_ids: list[int]) -> bool:
        return self.dispatch(job_ids)  # nothing queues here: a due job is not waiting

    def wait(self, timeout: float | None = None) -> None:
        with self._lock:
            pending = list(self._futures)
        for fut in pending:
            fut.result(timeout=timeout)


class RqDispatcher:
    """One Redis client (and its connection pool) per process, made on first use:
    a client per commit would open a TCP connection per request, which cost a
    submission more CPU than its rules. redis-py's pool is thread-safe and starts
    afresh in a forked child."""

    def __init__(self, app: Flask, redis_url: str, queue_name: str) -> None:
        self.app = app
        self.redis_url = redis_url
        self.queue_name = queue_name
        self._queue: Any = None
        self._lock = threading.Lock()

    def queue(self) -> Any:
        from redis import Redis
        from rq import Queue

        with self._lock:
            if self._queue is None:
                conn = Redis.from_url(self.redis_url, socket_connect_timeout=2,
                                      socket_timeout=5)
                self._queue = Queue(self.queue_name, connection=conn)
            return self._queue

    def dispatch(self, job_ids: list[int]) -> bool:
        """Jobs just committed are new to rq: enqueued at once, in one round trip."""
        return self._enqueue(job_ids, skip_waiting=False)

    def redispatch(self, job_ids: list[int]) -> bool:
        return self._enqueue(job_ids, skip_waiting=True)

    def _enqueue(self, job_ids: list[int], *, skip_waiting: bool) -> bool:
        if not job_ids:
            return False
        from rq import Queue

        try:
            queue = self.queue()
            wanted = [job_id for job_id in job_ids
                      if not (skip_waiting and self._already_waiting(queue, f"outbox-{job_id}"))]
            if wanted:
                queue.enqueue_many([Queue.prepare_data(
                    RQ_JOB_FUNCTION, (job_id,), job_id=f"outbox-{job_id}", result_ttl=60,
                    failure_ttl=3600) for job_id in wanted])
        except Exception as exc:  # noqa: BLE001 - Redis down: rows wait for the sweeper
            log.warning("could not enqueue jobs %s (%s); they wait in the outbox", job_ids, exc)
        return False

    @staticmethod
    def _already_waiting(queue: Any, rq_id: str) -> bool:
        """The sweeper runs every few seconds: do not pile up copies of a job
        that is still queued or running (the outbox claim would refuse them
        anyway, but a long queue delays everything behind it)."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus

        try:
            status = Job.fetch(rq_id, connection=queue.connection).get_status()
        except NoSuchJobError:
            return False
        # not STARTED: the sweeper only dispatches claimable rows, and a running row
        # is claimable only once its lease expired, i.e. its worker died mid-job
        # (rq keeps such a job "started" for minutes)
        return status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED)

    def wait(self, timeout: float | None = None) -> None:
        """Nothing to wait for here: rq workers run the jobs."""


def dispatcher_of(app: Flask) -> Dispatcher:
    dispatcher: Dispatcher = app.extensions["workorders.dispatcher"]
    return dispatcher


def wait_for_jobs(app: Flask, timeout: float | None = 60) -> None:
    dispatcher_of(app).wait(timeout)


def sweep(app: Flask) -> int:
    """Dispatch every due job (retries, jobs Redis missed, orphans); answer how many."""
    ids = due_job_ids(app)
    dispatcher_of(app).redispatch(ids)
    return len(ids)


def start_sweeper(app: Flask, interval: float = 5.0) -> threading.Event:
    """A daemon thread that sweeps every ``interval`` seconds until the event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                sweep(app)
            except Exception:
                log.exception("outbox sweep failed")

    threading.Thread(target=loop, name="outbox-sweeper", daemon=True).start()
    return stop


def _after_commit(session: Session) -> None:
    job_ids = session.info.pop(NEW_JOBS_KEY, None)
    if job_ids:
        dispatcher = dispatcher_of(current_app._get_current_object())  # type: ignore[attr-defined]
        if dispatcher.dispatch(list(job_ids)):
            # the jobs ran here, in sessions of their own, and may have changed rows
            # this session holds (objects outlive commits: expire_on_commit=False)
            session.expire_all()


def _after_rollback(session: Session) -> None:
    session.info.pop(NEW_JOBS_KEY, None)


def init_dispatch(app: Flask) -> None:
    settings = settings_of(app)
    if settings.redis_url:
        app.extensions["workorders.dispatcher"] = RqDispatcher(
            app, settings.redis_url, settings.rq_queue)
    else:
        app.extensions["workorders.dispatcher"] = InProcessDispatcher(
            app, synchronous=settings.jobs_sync)
    _HOOKS.install()


_HOOKS = Listeners(Session, ("after_commit", _after_commit),
                   ("after_soft_rollback", lambda s, _t: _after_rollback(s)))
