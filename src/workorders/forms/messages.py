"""The sentences a technician reads next to a field, shared by both paths.

One place, so the API and the browser say the same thing about the same problem,
and every message says what to enter instead with an example (the quality bar: an error says
what to do next; issue 15: "Use a date like 2026-12-03"). docs/forms.md lists them.
"""

from __future__ import annotations

from collections.abc import Iterable

REQUIRED = "This field is required."
UNKNOWN_FIELD = "Unknown field: this form has no such field."
NOT_AN_OBJECT = "Send the form's data as an object of field values."
TEXT = "Enter text."
WHOLE_NUMBER = "Use a whole number like 3."
NUMBER = "Use a number like 2.5."
DECIMAL_AS_TEXT = 'Send the number as text, e.g. "12.50".'
DECIMAL_FORMAT = "Use a number like 2.5 (digits, a point before decimals)."
BOOLEAN = "Answer yes or no."
DATE = "Use a date like 2026-12-03."
DATETIME = "Use a date and time with its UTC offset, like 2026-12-03T14:30+01:00."
TIME = "Use a time like 14:30 (00:00 to 23:59)."
EMAIL = "Use an email address like name@example.com."
PHONE = "Use a phone number like +46 70 123 45 67."
NOT_MOBILE = ("{number} is not a mobile number, so a text message cannot reach it. Give a "
              "mobile number like +46 70 123 45 67.")
NO_MOBILE = "There is no mobile number to send a text message to."
PEPPOL_ID = ("A Peppol id is a four-digit scheme, a colon and the id, "
             "e.g. 0007:5561234567.")
OPTION = "Pick one of the options in the list."
UNIQUE = "Each value may appear only once."
PATTERN = "Not in the expected format."
LIST = "Send a list."
ATTACHMENT = "Not an attachment id: upload the file first and use the id you get back."
UNIT = "Not a UN/ECE unit code (e.g. EA, HUR, MTR)."
ARTICLE = "Not an article of the catalog: pick one from the list."
HOURS_OR_SPAN = "Enter hours, or start and end."
HOURS_AND_SPAN = "Enter hours, or start and end, not both."
END_AFTER_START = "The end must be after the start (split work past midnight into two entries)."
ARTICLE_NEEDED = "Choose an article from the catalog."
ARTICLE_OR_TEXT = "Choose an article or describe the item."
ARTICLE_AND_TEXT = "Choose an article or describe the item, not both."
FREE_TEXT_NOT_ALLOWED = "Free text is not allowed here: choose an article from the catalog."


#: how many choices a "Pick one of: …" message lists before it refers to the list
ONE_OF_MAX = 8


def one_of(labels: Iterable[str]) -> str:
    """"Pick one of: Installation, Service, Repair." (the choices' labels, never
    their stored values); a long list is referred to rather than written out."""
    shown = [str(label) for label in labels]
    if not shown or len(shown) > ONE_OF_MAX:
        return OPTION
    return f"Pick one of: {', '.join(shown)}."


def too_long(limit: int) -> str:
    return f"At most {limit} characters."


def at_least(bound: object) -> str:
    return f"Must be at least {bound}."


def more_than(bound: object) -> str:
    return f"Must be more than {bound}."


def at_most(bound: object) -> str:
    return f"Must be at most {bound}."


def places(count: int) -> str:
    return WHOLE_NUMBER if count == 0 else f"Use at most {count} decimals, like 2.5."


def min_items(count: int, noun: str) -> str:
    return f"Add at least {count} {noun}{'' if count == 1 else 's'}."


def max_items(count: int, noun: str) -> str:
    return f"At most {count} {noun}{'' if count == 1 else 's'}."


def unit_fixed(unit: str) -> str:
    return f"This article is counted in {unit}: leave the unit empty or enter {unit}."


def price_fixed(price: str) -> str:
    return (f"The price comes from the catalog ({price}) and cannot be changed here: "
            "leave it empty.")
