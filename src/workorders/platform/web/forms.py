"""WTForms for the shell pages (CSRF comes from Flask-WTF's FlaskForm)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class ChooseTenantForm(FlaskForm):
    tenant = SelectField("Workspace", coerce=int)


class LogoutForm(FlaskForm):
    """Empty: logging out is a POST with a CSRF token, so no page can log you out."""
