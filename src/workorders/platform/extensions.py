"""Flask extensions, created unbound and attached in ``create_app``."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model (SQLAlchemy 2 style)."""


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
