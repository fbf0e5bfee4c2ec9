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


def notify(world: World, case_id: int, job_id: int, to: list[str],
           channel: str = "email") -> None:
    from workorders.platform.jobs.notify import send_notification
    from workorders.platform.jobs.registry import JobContext

    payload = {"case_id": case_id, "to": to, "channel": channel, "rule": "r",
               "template": "t", "subject": "Your case", "body": f"Message {job_id}"}
    send_notification(JobContext(app=world.app, job_id=job_id, tenant_id=None,
                                 payload=payload, attempt=1))


def outbox(world: World) -> list[str]:
    mail_dir: Path = world.app.extensions["workorders.settings"].mail_dir
    return [p.read_text(encoding="utf-8") for p in sorted(mail_dir.glob("job-7????-*"))]


def throttled_rows(world: World) -> list[Any]:
    from workorders.platform.extensions import db
    from workorders.platform.models import NotificationSend

    with world.app.app_context():
        return [(r.recipient, r.channel, r.job_id) for r in db.session.query(
            NotificationSend).filter_by(throttled=True).order_by(NotificationSend.id)]


@pytest.fixture
def case_id(world: World) -> int:
    publish_example(world)
    return int(book(world)["id"])


def test_the_eleventh_message_to_one_recipient_is_refused_and_logged(
        world: World, case_id: int, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="workorders.notify"):
        for job_id in range(70001, 70012):
            notify(world, case_id, job_id, ["user:Lena@Example.test"])
    sent = outbox(world)
    assert len(sent) == 10 and not any("Message 70011" in m for m in sent)
    assert throttled_rows(world) == [("lena@example.test", "email", 70011)]
    assert "lena@example.test" in caplog.text and "throttled, not sent" in caplog.text
    assert "WORKORDERS_NOTIFY_MAX_PER_RECIPIENT_PER_HOUR" in caplog.text


def test_other_recipients_still_get_theirs(world: World, case_id: int) -> None:
    for job_id in range(70001, 70012):
        notify(world, case_id, job_id, ["user:lena@example.test"])
    notify(world, case_id, 70012, ["user:olle@example.test"])
    assert any("To: olle@example.test" in m for m in outbox(world))


def test_a_retried_job_neither_counts_twice_nor_sends_what_was_held_back(
        world: World, case_id: int) -> None:
    for job_id in range(70001, 70012):
        notify(world, case_id, job_id, ["user:lena@example.test"])
    notify(world, case_id, 70011, ["user:lena@example.test"])  # the throttled one, retried
    notify(world, case_id, 70005, ["user:lena@example.test"])  # a sent one, retried
    assert len(outbox(world)) == 10
    assert throttled_rows(world) == [("lena@example.test", "email", 70011)]


def test_sms_are_throttled_the_same_way(world: World, case_id: int) -> None:
    for job_id in range(70001, 70012):
        notify(world, case_id, job_id, ["user:+46701234567"], channel="sms")
    assert len(outbox(world)) == 10
    assert throttled_rows(world) == [("+46701234567", "sms", 70011)]


def test_the_tenant_limit_holds_across_recipients(world: World, case_id: int) -> None:
    settings = world.app.extensions["workorders.settings"]
    world.app.extensions["workorders.settings"] = dataclasses.replace(
        settings, notify_max_per_tenant_per_hour=3)
    for n, job_id in enumerate(range(70001, 70005)):
        notify(world, case_id, job_id, [f"user:person{n}@example.test"])
    assert len(outbox(world)) == 3
    assert throttled_rows(world) == [("person3@example.test", "email", 70004)]


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
    """The bundle's webhook host does not resolve here, so each admitted post fails (and
    would be retried); the eleventh is held back before any attempt and succeeds as a job."""
    for job_id in range(70001, 70011):
        with pytest.raises(Exception, match=r"ops_channel|OPS_WEBHOOK|secret"):
            notify(world, case_id, job_id, ["webhook:ops_channel"])
    notify(world, case_id, 70011, ["webhook:ops_channel"])
    assert throttled_rows(world) == [("webhook:ops_channel", "webhook", 70011)]
