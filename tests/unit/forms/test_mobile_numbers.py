"""What a text message can reach: mobile numbers, and numbers a plan shares between
mobile and fixed lines (the United States); one sentence for everything else."""

from __future__ import annotations

import pytest

from workorders.forms import messages as msg
from workorders.forms.phones import mobile_problem


@pytest.mark.parametrize("number", ["+46701234567", "+447911123456", "+12015550123"])
def test_mobile_numbers_can_be_texted(number: str) -> None:
    assert mobile_problem(number) is None


@pytest.mark.parametrize(("number", "read"), [("+4687654321", "+46 8 765 43 21"),
                                              ("+442079460000", "+44 20 7946 0000")])
def test_a_fixed_line_is_refused_with_the_number_as_people_read_it(number: str,
                                                                   read: str) -> None:
    assert mobile_problem(number) == (
        f"{read} is not a mobile number, so a text message cannot reach it. Give a "
        "mobile number like +46 70 123 45 67.")


@pytest.mark.parametrize(("value", "sentence"), [
    (None, msg.NO_MOBILE), ("", msg.NO_MOBILE), ("call me", msg.PHONE),
    ("+4670", msg.PHONE)])
def test_no_number_or_not_a_number_gets_its_own_sentence(value: str | None,
                                                         sentence: str) -> None:
    assert mobile_problem(value) == sentence
