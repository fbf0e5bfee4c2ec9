"""Notification sends are throttled per tenant and recipient (issue 11, item 13): the
eleventh message in an hour to one person is not sent, and that is recorded and
logged, never dropped silently and never retried."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.support.cases import book, publish_example
from tests.support.world import World


def notify(world: World, case_id: int, n: int, to: list[str],
           channel: str = "email") -> list[int]:
    """Write message ``n`` for ``to`` as a rule would, and run its deliveries."""
    from workorders.definitions.model import NotificationTemplate
    from workorders.platform.extensions import db
    from workorders.platform.jobs.runner import run_job
    from workorders.platform.models import Case, Notification
    from workorders.platform.services.case_context import LoadedCase
    from workorders.platform.services.definitions import bundle_of
    from workorders.platform.services.notifications import queue_message

    with world.app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        bundle = bundle_of(case.definition)
        loaded = LoadedCase(case, bundle, bundle.case_types[0])
        template = NotificationTemplate("t", channel, f"Message {n}", "Your case")
        queue_message(db.session(), loaded, source="rule:r", template=template, to=to,
                      texts={"": {"subject": "Your case", "body": f"Message {n}"}},
                      key=f"test-{n}", actor=None, staff_kind="rules")
        db.session.commit()
        jobs = [(r.id, r.job_id) for r in db.session.query(Notification).filter(
            Notification.dedupe_key.startswith(f"test-{n}:")).order_by(Notification.id)]
    for _row, job in jobs:
        if job is not None:
            run_job(world.app, job)
    return [row for row, _job in jobs]


def statuses(world: World) -> list[tuple[str, str, str]]:
    from workorders.platform.extensions import db
    from workorders.platform.models import Notification

    with world.app.app_context():
        return [(r.address, r.channel, r.status) for r in db.session.query(Notification)
                .filter(Notification.source == "rule:r").order_by(Notification.id)]


def outbox(world: World) -> list[str]:
    mail_dir: Path = world.app.extensions["workorders.settings"].mail_dir
    return [p.read_text(encoding="utf-8") for p in sorted(mail_dir.glob("notification-*"))]


def throttled_rows(world: World) -> list[Any]:
    from workorders.platform.extensions import db
    from workorders.platform.models import Notification

    with world.app.app_context():
        return [(r.address, r.channel, r.body, r.error) for r in db.session.query(
            Notification).filter_by(status="throttled").order_by(Notification.id)]


@pytest.fixture
def case_id(world: World) -> int:
    publish_example(world)
    return int(book(world)["id"])


def test_the_eleventh_message_to_one_recipient_is_refused_and_logged(
        world: World, case_id: int, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="workorders.notify"):
        for n in range(1, 12):
            notify(world, case_id, n, ["user:Lena@Example.test"])
    sent = outbox(world)
    assert len(sent) == 10 and not any("Message 11" in m for m in sent)
    [(address, channel, body, error)] = throttled_rows(world)
    assert (address, channel, body) == ("Lena@Example.test", "email", "Message 11")
    assert error == ("Not sent: 10 messages already went to this recipient in the last hour, "
                     "and the limit is 10 an hour.")
    assert "lena@example.test" in caplog.text and "throttled, not sent" in caplog.text


def test_other_recipients_still_get_theirs(world: World, case_id: int) -> None:
    for n in range(1, 12):
        notify(world, case_id, n, ["user:lena@example.test"])
    notify(world, case_id, 12, ["user:olle@example.test"])
    assert any("To: olle@example.test" in m for m in outbox(world))


def test_a_retried_delivery_neither_counts_twice_nor_sends_what_was_held_back(
        world: World, case_id: int) -> None:
    from workorders.platform.jobs.notify import deliver_notification
    from workorders.platform.jobs.registry import JobContext

    rows = [notify(world, case_id, n, ["user:lena@example.test"])[0] for n in range(1, 12)]
    for row in (rows[10], rows[4]):  # the throttled one and a sent one, run again
        deliver_notification(JobContext(app=world.app, job_id=0, tenant_id=None,
                                        payload={"notification_id": row}, attempt=2))
    assert len(outbox(world)) == 10
    assert [s for _a, _c, s in statuses(world)] == ["sent"] * 10 + ["throttled"]


def test_the_same_cause_never_writes_a_second_message(world: World, case_id: int) -> None:
    first = notify(world, case_id, 1, ["user:lena@example.test"])
    assert notify(world, case_id, 1, ["user:lena@example.test"]) == first
    assert len(outbox(world)) == 1


def test_the_tenant_limit_holds_across_recipients(world: World, case_id: int) -> None:
    settings = world.app.extensions["workorders.settings"]
    world.app.extensions["workorders.settings"] = dataclasses.replace(
        settings, notify_max_per_tenant_per_hour=3)
    for n in range(4):
        notify(world, case_id, n, [f"user:person{n}@example.test"])
    assert len(outbox(world)) == 3
    [(address, _channel, _body, error)] = throttled_rows(world)
    assert address == "person3@example.test" and "this tenant already sent 3" in error


@pytest.mark.parametrize("value", ["0", "-1", "ten", "2.5"])
def test_a_bad_limit_setting_is_refused_by_name(value: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.platform.config import load_settings

    monkeypatch.setenv("WORKORDERS_NOTIFY_MAX_PER_RECIPIENT_PER_HOUR", value)
    with pytest.raises(ValueError, match="WORKORDERS_NOTIFY_MAX_PER_RECIPIENT_PER_HOUR must be"):
        load_settings({"instance_dir": tmp_path, "secret_key": "k"})


def test_the_limits_come_from_the_environment(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from workorders.platform.config import load_settings

    monkeypatch.setenv("WORKORDERS_NOTIFY_MAX_PER_RECIPIENT_PER_HOUR", "4")
    monkeypatch.setenv("WORKORDERS_NOTIFY_MAX_PER_TENANT_PER_HOUR", "40")
    settings = load_settings({"instance_dir": tmp_path, "secret_key": "k"})
    assert (settings.notify_max_per_recipient_per_hour,
            settings.notify_max_per_tenant_per_hour) == (4, 40)


def test_webhook_posts_are_throttled_too(world: World, case_id: int) -> None:
    """The bundle's webhook has no secret set here, so each admitted post is dead at
    once; the eleventh is held back before any attempt."""
    for n in range(1, 12):
        notify(world, case_id, n, ["webhook:ops_channel"])
    assert [s for _a, _c, s in statuses(world)] == ["dead"] * 10 + ["throttled"]
