"""The small forms on the case page.

Each carries the case ``version`` the page was rendered with; the view passes
it to the service as ``expected_version`` (the browser's If-Match), so acting
on a stale page is refused instead of silently overwriting someone's change.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

NOBODY = ""


class TransitionForm(FlaskForm):
    transition = HiddenField(validators=[DataRequired(), Length(max=63)])
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AssignForm(FlaskForm):
    assignee = SelectField("Technician", validate_choice=True)
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def assign_choices(techs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(NOBODY, "— Nobody —"), *techs]
