"""WTForms for the shell pages (CSRF comes from Flask-WTF's FlaskForm)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length

from workorders.platform.services.passwords import MIN_PASSWORD_LENGTH, TOO_SHORT


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class ChooseTenantForm(FlaskForm):
    tenant = SelectField("Workspace", coerce=int)


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=500, message=TOO_SHORT)])
    confirm = PasswordField("The same password again", validators=[
        DataRequired(), EqualTo("password", message="the two passwords do not match")])


class LogoutForm(FlaskForm):
    """Empty: logging out is a POST with a CSRF token, so no page can log you out."""
