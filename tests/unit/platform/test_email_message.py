"""A notification email: text and HTML parts, threading, unsubscribe, no injection."""

from __future__ import annotations

from tests.support.outbox import parse
from workorders.platform.jobs.email_message import OutgoingEmail, build_message, text_to_html

SENDER = "workorders <no-reply@workorders.invalid>"


def _email(**over: object) -> OutgoingEmail:
    values: dict[str, object] = {
        "to": "lena@example.test", "subject": "Din tekniker är på väg (INST-1)",
        "text": "Hej Lena!\n\nÅsa är på väg.\nFölj ärendet: https://work.example.com/status/t.",
        "message_id": "<notification-2.tenant-1@work.example.com>"}
    values.update(over)
    return OutgoingEmail(**values)  # type: ignore[arg-type]


def test_a_text_and_an_html_part_that_round_trip_swedish() -> None:
    message = parse(bytes(build_message(_email(sender_name="Nordvärme AB", lang="sv-SE"),
                                        SENDER)))
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "Åsa är på väg." in plain.get_content()  # type: ignore[attr-defined]
    page = html.get_content()  # type: ignore[attr-defined]
    assert '<html lang="sv-SE">' in page and "<p>Hej Lena!</p>" in page
    assert '<a href="https://work.example.com/status/t">https://work.example.com/status/t</a>.' \
        in page  # the full stop after the link is not part of it
    assert message["Subject"] == "Din tekniker är på väg (INST-1)"
    assert message["From"] == "Nordvärme AB <no-reply@workorders.invalid>"
    assert message["Message-ID"] == "<notification-2.tenant-1@work.example.com>"
    assert message["Date"] and "In-Reply-To" not in message and "List-Unsubscribe" not in message


def test_messages_about_one_case_thread_under_its_first() -> None:
    root = "<notification-1.tenant-1@work.example.com>"
    message = build_message(_email(thread_root=root), SENDER)
    assert message["In-Reply-To"] == root and message["References"] == root
    first = build_message(_email(message_id=root, thread_root=root), SENDER)
    assert "In-Reply-To" not in first  # the first message replies to nothing


def test_customers_can_unsubscribe_in_one_click() -> None:
    url = "https://work.example.com/unsubscribe/token"
    message = parse(bytes(build_message(_email(unsubscribe_url=url,
                                               unsubscribe_words="Stoppa"), SENDER)))
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert f"Stoppa: {url}" in plain.get_content()  # type: ignore[attr-defined]
    assert f'<a href="{url}"' in html.get_content()  # type: ignore[attr-defined]


def test_nothing_in_the_text_or_subject_becomes_markup_or_a_header() -> None:
    evil = _email(subject="Hi\r\nBcc: everyone@example.test",
                  text='<script>alert(1)</script> "quoted" & https://x.test/?a=1&b="2"')
    message = parse(bytes(build_message(evil, SENDER)))
    assert message["Bcc"] is None and message["Subject"] == "Hi Bcc: everyone@example.test"
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    page = html.get_content()  # type: ignore[attr-defined]
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '"quoted"' not in page.split("<body", 1)[1]


def test_text_to_html_makes_paragraphs_and_line_breaks() -> None:
    assert text_to_html("One\ntwo\n\n\nThree") == "<p>One<br>\ntwo</p>\n<p>Three</p>"


def test_the_configured_sender_by_default_and_a_tenant_name_cannot_add_an_address() -> None:
    assert build_message(_email())["From"] == SENDER  # the default sender
    message = parse(bytes(build_message(
        _email(sender_name='Acme, "Best" <evil@example.test>\r\nBcc: x@example.test',
               reply_to="office@acme.example"))))
    sender = message["From"]
    assert sender.addresses[0].addr_spec == "no-reply@workorders.invalid"
    assert len(sender.addresses) == 1 and message["Bcc"] is None
    assert sender.addresses[0].display_name == \
        'Acme, "Best" <evil@example.test> Bcc: x@example.test'
    assert message["Reply-To"] == "office@acme.example"
    assert "Reply-To" not in build_message(_email())


def test_a_link_with_ampersands_and_quotes_is_escaped_once() -> None:
    page = text_to_html('See https://x.test/?a=1&b=2, or "https://y.test/q".')
    assert page == ('<p>See <a href="https://x.test/?a=1&amp;b=2">https://x.test/?a=1&amp;b=2'
                    '</a>, or &quot;<a href="https://y.test/q">https://y.test/q</a>&quot;.</p>')


def test_an_html_part_given_by_the_caller_is_used_in_the_layout() -> None:
    message = parse(bytes(build_message(_email(html="<p><b>Bold</b> news</p>",
                                               unsubscribe_url="https://w.test/u/t"))))
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    page = html.get_content()  # type: ignore[attr-defined]
    assert "<p><b>Bold</b> news</p>" in page and "Åsa" not in page
    assert '<a href="https://w.test/u/t"' in page  # the footer is still there
