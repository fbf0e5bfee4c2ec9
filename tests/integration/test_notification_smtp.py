"""Email through a real SMTP server (aiosmtpd): plain, STARTTLS, login, refusals, and
a case's messages threaded and unsubscribable end to end."""

from __future__ import annotations

import dataclasses
import smtplib
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.integration.test_notifications_flow import messages, move, publish_with
from tests.support.cases import book
from tests.support.outbox import plain_text
from tests.support.smtp import SmtpServer, smtp_server
from tests.support.world import World
from workorders.platform.jobs import email as email_jobs
from workorders.platform.jobs.email import SENDER, deliver
from workorders.platform.jobs.email_message import OutgoingEmail, build_message
from workorders.platform.jobs.registry import PermanentJobError


def _use_smtp(app: Flask, url: str) -> None:
    settings = app.extensions["workorders.settings"]
    app.extensions["workorders.settings"] = dataclasses.replace(settings, smtp_url=url)


def _message(to: str = "lena@example.test") -> OutgoingEmail:
    return OutgoingEmail(to=to, subject="Hej från Nordvärme", text="Åsa kommer i morgon.",
                         message_id="<n-1.t-1@work.example.com>")


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


def test_a_message_reaches_the_server_with_both_parts(app: Flask, server: SmtpServer) -> None:
    _use_smtp(app, server.url(query="starttls=never"))
    assert deliver(app, build_message(_message(), SENDER), "n-1") is None  # no file: sent
    [received] = server.messages
    assert received["Subject"] == "Hej från Nordvärme"
    assert plain_text(received).strip() == "Åsa kommer i morgon."
    assert received.get_body(preferencelist=("html",)) is not None
    assert server.envelopes == [("no-reply@workorders.invalid", ["lena@example.test"])]


def test_starttls_is_used_when_offered_and_can_be_required(app: Flask, tmp_path: Path) -> None:
    with smtp_server(tmp_path, tls=True, require_tls=True) as server:
        _use_smtp(app, server.url(query="verify=false"))
        deliver(app, build_message(_message(), SENDER), "n-1")
        assert server.tls_used == [True]
        _use_smtp(app, server.url(query="starttls=require"))  # verified: self-made cert
        with pytest.raises(Exception, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            deliver(app, build_message(_message(), SENDER), "n-2")
    with smtp_server() as plain:
        _use_smtp(app, plain.url(query="starttls=require"))
        with pytest.raises(PermanentJobError, match="does not offer STARTTLS"):
            deliver(app, build_message(_message(), SENDER), "n-3")
        assert plain.messages == []


def test_a_login_from_the_url_and_a_wrong_one(app: Flask, tmp_path: Path) -> None:
    with smtp_server(tmp_path, tls=True, auth=("mailer", "s3cret/+")) as server:
        _use_smtp(app, server.url(login="mailer:s3cret%2F%2B", query="verify=false"))
        deliver(app, build_message(_message(), SENDER), "n-1")
        assert len(server.messages) == 1
        _use_smtp(app, server.url(login="mailer:wrong", query="verify=false"))
        with pytest.raises(PermanentJobError, match="user name and password"):
            deliver(app, build_message(_message(), SENDER), "n-2")


def test_a_refused_recipient_is_permanent_a_busy_or_absent_server_is_retried(
        app: Flask, server: SmtpServer) -> None:
    _use_smtp(app, server.url(query="starttls=never"))
    server.refuse.add("nobody@example.test")
    with pytest.raises(PermanentJobError, match=r"refused nobody@example\.test: 550"):
        deliver(app, build_message(_message("nobody@example.test"), SENDER), "n-1")
    server.busy = True
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        deliver(app, build_message(_message(), SENDER), "n-2")
    from tests.support.processes import free_port

    _use_smtp(app, f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(ConnectionRefusedError):
        deliver(app, build_message(_message(), SENDER), "n-3")



def test_smtps_speaks_tls_from_the_first_byte_and_checks_the_certificate(
        app: Flask, tmp_path: Path) -> None:
    with smtp_server(tmp_path, implicit_tls=True) as server:
        _use_smtp(app, server.url(scheme="smtps", query="verify=false"))
        deliver(app, build_message(_message(), SENDER), "n-1")
        [received] = server.messages
        assert received["Subject"] == "Hej från Nordvärme"
        _use_smtp(app, server.url(scheme="smtps"))  # verified: the self-made cert fails
        with pytest.raises(ssl.SSLCertVerificationError):
            deliver(app, build_message(_message(), SENDER), "n-2")
        assert len(server.messages) == 1


def test_a_login_the_server_does_not_offer_is_permanent_a_busy_login_is_retried(
        app: Flask, tmp_path: Path, server: SmtpServer) -> None:
    _use_smtp(app, server.url(login="mailer:secret", query="starttls=never"))
    with pytest.raises(PermanentJobError, match="does not offer a login"):
        deliver(app, build_message(_message(), SENDER), "n-1")
    with smtp_server(tmp_path, tls=True, auth=("mailer", "secret")) as guarded:
        guarded.auth_busy = True
        _use_smtp(app, guarded.url(login="mailer:secret", query="verify=false"))
        with pytest.raises(smtplib.SMTPAuthenticationError) as raised:
            deliver(app, build_message(_message(), SENDER), "n-2")
        assert raised.type is smtplib.SMTPAuthenticationError  # not PermanentJobError
        assert raised.value.smtp_code == 454 and guarded.messages == []


def test_a_server_that_never_answers_times_out_and_is_retried(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(email_jobs, "SMTP_TIMEOUT", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        _use_smtp(app, f"smtp://127.0.0.1:{silent.getsockname()[1]}")
        with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
            deliver(app, build_message(_message(), SENDER), "n-1")


CUSTOMER_EMAILS = """  on_enter:
    scheduled: {template: visit_booked, to: [customer, assignee]}
    in_progress: {template: work_started, to: [customer]}
"""
TEMPLATES = """    visit_booked:
      channel: email
      subject: "Ditt besök {{ case.number }}"
      body: >-
        Hej {{ case.customer.name }}! Vi kommer {{ case.scheduled_start|datetime }}.
        {{ links.status_page }}
    work_started:
      channel: email
      subject: "Arbetet har börjat ({{ case.number }})"
      body: "Hej {{ case.customer.name }}! Arbetet har börjat."
"""


def test_a_cases_emails_thread_and_carry_an_unsubscribe_that_works(
        world: World, server: SmtpServer) -> None:
    _use_smtp(world.app, server.url(query="starttls=never"))
    publish_with(world, CUSTOMER_EMAILS, templates=TEMPLATES)
    case = book(world)
    move(world, case["id"], "schedule")
    move(world, case["id"], "start", role="technician")
    to_customer = [m for m in server.messages if m["To"] == "lena@example.test"]
    assert [m["Subject"] for m in to_customer] == [
        f"Ditt besök {case['number']}", f"Arbetet har börjat ({case['number']})"]
    first, second = to_customer
    assert second["In-Reply-To"] == first["Message-ID"] == second["References"]
    assert "Hej Lena Berg! Vi kommer " in plain_text(first)
    link = first["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in link and first["List-Unsubscribe-Post"]
    [to_technician] = [m for m in server.messages if m["To"] == world.a.emails["technician"]]
    assert "List-Unsubscribe" not in to_technician  # staff change their settings instead
    client = world.app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert "Stoppa statusmeddelanden" in client.get(f"/{path}").get_data(as_text=True)
    assert client.post(f"/{path}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    # the next status message to Lena is not sent; the row says why
    publish_with(world, CUSTOMER_EMAILS.replace("in_progress", "waiting_for_parts"),
                 templates=TEMPLATES)
    later = book(world)
    move(world, later["id"], "schedule")
    assert [m[4] for m in messages(world, later["id"]) if m[3] == "lena@example.test"] == [
        "opted_out"]
    assert len([m for m in server.messages if m["To"] == "lena@example.test"]) == 2


def test_a_case_from_booking_to_invoice_through_real_servers(world: World,
                                                            server: SmtpServer) -> None:
    """The life of a case with a real SMTP server and a real SMS gateway: exactly one
    email (the technician's), exactly one text (the customer's 'on the way') and the
    coordinators' in-app message; nothing twice."""
    from tests.support.exports import drain, invoice, ready_case, running_receiver

    settings = world.app.extensions["workorders.settings"]
    world.app.extensions["workorders.settings"] = dataclasses.replace(
        settings, outbound_allow=("127.0.0.1",))
    _use_smtp(world.app, server.url(query="starttls=never"))
    with running_receiver() as gateway:
        publish_with(world, f"  sms: {{provider: generic, url: \"{gateway.url}/sms\", "
                            "sender: Nordvarme, body: '{\"to\": \"{{ to }}\", "
                            "\"text\": \"{{ text }}\"}'}\n")
        case = ready_case(world)
        invoice(world, case["id"])
        drain(world.app)
        texts = [p["body"].decode() for p in gateway.posts]
    assert [m["To"] for m in server.messages] == [world.a.emails["technician"]]
    assert len(texts) == 1 and "+46701234567" in texts[0] and "på väg" in texts[0]
    assert [(m[2], m[4]) for m in messages(world, case["id"])] == [
        ("email", "sent"), ("in_app", "sent"), ("sms", "sent"), ("in_app", "sent")]
