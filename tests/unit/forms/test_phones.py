"""Phone numbers: read in a default region, stored in E.164, refused with one sentence."""

from __future__ import annotations

import pytest

from workorders.forms import messages as msg
from workorders.forms.phones import default_region, e164, locale_region, phone_words


@pytest.mark.parametrize(("text", "region", "stored"), [
    ("+46 70 123 45 67", None, "+46701234567"),
    ("070-123 45 67", "SE", "+46701234567"),
    ("0046 70 123 45 67", "SE", "+46701234567"),
    ("22 33 44 55", "NO", "+4722334455"),
    ("+46701234567", "NO", "+46701234567"),  # a country code wins over the region
    ("33 12 34 56", "DK", "+4533123456"),
])
def test_a_number_is_stored_in_e164(text: str, region: str | None, stored: str) -> None:
    assert e164(text, region) == stored


@pytest.mark.parametrize(("text", "region"), [
    ("12", "SE"), ("call me", "SE"), ("+4670999", None), ("070 123 45 67", None),
    ("", "SE"), ("+46 70 123 45 67 89 10", None),
])
def test_a_number_that_is_not_one_is_refused_with_the_sentence(text: str,
                                                               region: str | None) -> None:
    with pytest.raises(ValueError, match=r"^Use a phone number like \+46 70 123 45 67\.$"):
        e164(text, region)
    assert msg.PHONE == "Use a phone number like +46 70 123 45 67."


def test_the_region_comes_from_a_country_code_or_the_locale() -> None:
    assert locale_region("sv-SE") == "SE" and locale_region("nb_NO") == "NO"
    assert locale_region("en") is None and locale_region(None) is None
    assert default_region("Sweden", "no", "SE") == "NO"  # free text is passed over
    assert default_region(None, "", None) is None


def test_a_stored_number_reads_grouped_and_old_text_as_stored() -> None:
    assert phone_words("+46701234567") == "+46 70 123 45 67"
    assert phone_words("ring Lena") == "ring Lena"
    assert phone_words(None) == ""
