"""The small POST forms of the exceptions queue and the approvals inbox.

Templates write the inputs by hand (one form per row, so ids must be unique per
row); these classes only read and check what was posted, and Flask-WTF checks
the CSRF token. Every form carries the item's ``version`` as the page showed it:
the view passes it to the service as the expected version, so acting on a stale
row is refused instead of overwriting someone else's decision.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

#: where a form may send the person back to (never another site)
BACK_PREFIXES = ("/exceptions", "/approvals", "/cases/")


class _Versioned(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    next = HiddenField(validators=[Optional(), Length(max=1000)])


class AssignExceptionForm(_Versioned):
    #: "me", an email, or empty for nobody
    user = StringField(validators=[Optional(), Length(max=254)])


class NoteForm(_Versioned):
    text = TextAreaField(validators=[DataRequired(), Length(max=2000)])


class VersionForm(_Versioned):
    """Reopen: nothing to say but which version was seen."""


class DecisionForm(_Versioned):
    decision = StringField(validators=[AnyOf(["approve", "reject"])])
    comment = TextAreaField(validators=[Optional(), Length(max=2000)])


def safe_back(target: str | None, default: str) -> str:
    """A local address on one of our pages, else ``default`` (no open redirect)."""
    if (target and target.startswith(BACK_PREFIXES) and "//" not in target
            and "\\" not in target and not any(ord(c) < 32 for c in target)):
        return target
    return default
