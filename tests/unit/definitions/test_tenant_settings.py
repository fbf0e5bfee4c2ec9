"""A bundle's tenant settings (issue 15): ``timezone`` and ``branding.logo`` are
checked at upload with a plain message and an example, and notification
templates format dates and money in the tenant's locale and zone."""

from __future__ import annotations

import base64

import pytest

from workorders.definitions import load_bundle
from workorders.definitions.branding import LogoProblem, read_logo
from workorders.rules.render import render, template_context

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40


def _url(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def _with(base_text: str, settings: str) -> str:
    assert "locale: sv-SE\n" in base_text
    return base_text.replace("locale: sv-SE\n", f"locale: sv-SE\n{settings}", 1)


def _errors(text: str) -> list[tuple[str, str, str | None]]:
    return [(p.path, p.message, p.hint) for p in load_bundle(text).errors]


def test_the_time_zone_defaults_to_stockholm_and_can_be_set(base_text: str) -> None:
    assert load_bundle(base_text).bundle.timezone == "Europe/Stockholm"  # type: ignore[union-attr]
    bundle = load_bundle(_with(base_text, "timezone: Europe/Oslo\n")).bundle
    assert bundle is not None and bundle.timezone == "Europe/Oslo"


def test_a_misspelt_time_zone_is_refused_with_a_suggestion(base_text: str) -> None:
    assert _errors(_with(base_text, "timezone: Europe/Stokholm\n")) == [
        ("/timezone", "'Europe/Stokholm' is not a time zone name",
         "did you mean 'Europe/Stockholm'?")]
    assert _errors(_with(base_text, "timezone: Swedish time\n"))[0][2] == (
        "use an IANA name such as Europe/Stockholm, Europe/Oslo or Europe/London")


def test_an_unknown_locale_is_refused(base_text: str) -> None:
    text = base_text.replace("locale: sv-SE", "locale: xx-QQ")
    assert _errors(text) == [("/locale", "'xx-QQ' is not a language and country we can "
                              "write dates and money in", "e.g. sv-SE, nb-NO, da-DK, en-GB, de-DE")]


@pytest.mark.parametrize(("media_type", "data"), [
    ("image/png", PNG), ("image/jpeg", JPEG), ("image/webp", WEBP)])
def test_a_small_png_jpeg_or_webp_logo_is_accepted(base_text: str, media_type: str,
                                                   data: bytes) -> None:
    bundle = load_bundle(_with(base_text, f"branding:\n  logo: \"{_url(media_type, data)}\"\n")
                         ).bundle
    assert bundle is not None
    logo = read_logo(bundle.logo or "")
    assert (logo.media_type, logo.data) == (media_type, data) and len(logo.etag) == 16


@pytest.mark.parametrize(("logo", "message"), [
    (_url("image/png", PNG * 1700), "the logo is larger than 64 KB; use a smaller image "
                                    "(a header logo is usually 5-30 KB)"),
    (_url("image/svg+xml", b"<svg onload='x()'/>"),
     "the logo is image/svg+xml; use a PNG, JPEG or WebP image"),
    (_url("image/png", b"<html>not a picture</html>"),
     "the logo says it is PNG but its bytes are not such an image"),
    ("https://example.com/logo.png",
     "the logo must be the image itself as a data: URL, not a link"),
    ("data:image/png;base64,@@@@", "the logo's base64 text is damaged; encode the file again"),
    ("data:image/png,rawbytes", "the logo must be base64-encoded (data:image/png;base64,...)"),
])
def test_a_big_or_non_image_logo_is_refused_in_plain_words(base_text: str, logo: str,
                                                           message: str) -> None:
    assert _errors(_with(base_text, f"branding:\n  logo: \"{logo}\"\n")) == [
        ("/branding/logo", message, "e.g. logo: data:image/png;base64,iVBORw0KGgo...")]
    with pytest.raises(LogoProblem):
        read_logo(logo)


def test_branding_takes_no_other_keys(base_text: str) -> None:
    errors = _errors(_with(base_text, "branding:\n  colour: red\n"))
    assert errors == [("/branding/colour", "unknown key 'colour'", "allowed keys: logo")]


def test_templates_format_in_the_tenants_locale_and_zone(base_text: str) -> None:
    bundle = load_bundle(_with(base_text, "timezone: Europe/Stockholm\n")).bundle
    assert bundle is not None
    context = template_context({"case": {"scheduled_start": "2026-11-26T07:00:00+00:00"}},
                               bundle, bundle.case_types[0].id)
    text = render("{{ case.scheduled_start|datetime }} | {{ case.scheduled_start|date }} | "
                  "{{ case.scheduled_start|clock }} | {{ 1234.5|money }} | "
                  "{{ 2.5|money('JPY') }} | {{ 1234.5|number }} | [{{ none|money }}]", context)
    assert text == ("tors 26 nov. 2026 08:00 CET | tors 26 nov. 2026 | 08:00 | "
                    "1\xa0234,50\xa0kr | 3\xa0JPY | 1\xa0234,5 | []")
    oslo = load_bundle(_with(base_text, "timezone: America/New_York\n").replace(
        "locale: sv-SE", "locale: en-GB")).bundle
    assert oslo is not None
    context = template_context({"case": {"scheduled_start": "2026-11-26T07:00:00+00:00"}},
                               oslo, oslo.case_types[0].id)
    assert render("{{ case.scheduled_start|datetime(false) }}", context) == (
        "Thu, 26 Nov 2026, 02:00")


def test_a_notification_using_the_filters_validates(base_text: str) -> None:
    assert "notifications:\n  templates:\n" in base_text
    text = base_text.replace(
        "notifications:\n  templates:\n",
        "notifications:\n  templates:\n    visit_note:\n      channel: email\n"
        "      subject: 'Besök {{ case.scheduled_start|date }}'\n"
        "      body: 'Vi kommer {{ case.scheduled_start|datetime }}. {{ 100|money }}'\n", 1)
    result = load_bundle(text)
    assert result.valid, result.errors
