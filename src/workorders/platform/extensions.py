"""Flask extensions, created unbound and attached in ``create_app``."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model (SQLAlchemy 2 style)."""


#: objects keep their values after a commit: a write's answer is built from the rows
#: it just wrote instead of reading each one back (the request ends soon after)
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
csrf = CSRFProtect()
