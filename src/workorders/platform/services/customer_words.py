"""The customer pages' fixed words in the tenant's language.

A customer reads the status page, the unsubscribe page and the emails' footers in
the language of the company that serves them (the bundle's ``locale``); English
when the catalogue has no such language. One catalogue, so the status page and the
email footer never say the same thing two ways.
"""

from __future__ import annotations

from collections.abc import Mapping

from workorders.definitions.model import best_locale

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "case": "Case",
        "status": "Status",
        "planned_visit": "Planned visit",
        "updates": "This page updates as the work moves on. Questions? Answer the message "
                   "that brought you here.",
        "told_you": "What we told you",
        "nothing_told": "We have not sent you any messages about this case yet.",
        "show_message": "Show the whole message",
        "stop_title": "Stop status messages",
        "stop_question": "Stop status messages from {tenant} to {address}?",
        "stop_still": "You will still get messages that ask you to approve or sign something.",
        "stop_button": "Stop status messages",
        "stopped": "Done: {tenant} sends no more status messages to {address}.",
        "undo_button": "Undo: send me status messages again",
        "resumed": "Done: {tenant} sends status messages to {address} again.",
        "stop_footer": "Stop these status messages",
    },
    "sv": {
        "case": "Ärende",
        "status": "Status",
        "planned_visit": "Planerat besök",
        "updates": "Sidan uppdateras när arbetet går framåt. Frågor? Svara på meddelandet som "
                   "tog dig hit.",
        "told_you": "Det här har vi meddelat dig",
        "nothing_told": "Vi har inte skickat några meddelanden om ärendet ännu.",
        "show_message": "Visa hela meddelandet",
        "stop_title": "Stoppa statusmeddelanden",
        "stop_question": "Stoppa statusmeddelanden från {tenant} till {address}?",
        "stop_still": "Du får fortfarande meddelanden som ber dig godkänna eller signera något.",
        "stop_button": "Stoppa statusmeddelanden",
        "stopped": "Klart: {tenant} skickar inga fler statusmeddelanden till {address}.",
        "undo_button": "Ångra: skicka statusmeddelanden igen",
        "resumed": "Klart: {tenant} skickar statusmeddelanden till {address} igen.",
        "stop_footer": "Stoppa de här statusmeddelandena",
    },
}


def public_words(locale: str | None) -> Mapping[str, str]:
    """The catalogue for a reader of ``locale`` (the tenant's), else English."""
    tag = best_locale(WORDS, locale)
    return WORDS[tag or "en"]
