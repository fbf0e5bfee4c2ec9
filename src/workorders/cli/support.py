"""Shared pieces of the CLI commands: building the app, showing errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click
from flask import Flask

from workorders.errors import WorkordersError

F = TypeVar("F", bound=Callable[..., Any])


def build_app() -> Flask:
    from workorders.platform import create_app

    return create_app()


def friendly_errors(fn: F) -> F:
    """Show our errors as one clear line and exit 1, not as a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WorkordersError as exc:
            click.echo(f"error: {exc.message}", err=True)
            for item in getattr(exc, "errors", None) or []:
                click.echo(f"  {item.get('path', '')}: {item.get('message', '')}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]
