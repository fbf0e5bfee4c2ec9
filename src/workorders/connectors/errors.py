"""Named errors of the connectors package.

Each carries the place it concerns (a document path, an option name, a CSV row)
so the platform can show a coordinator what to fix instead of a stack trace.
"""

from __future__ import annotations

from workorders.errors import WorkordersError


class ConnectorError(WorkordersError):
    """Root of the connector errors."""


class DocumentError(ConnectorError):
    """The invoice-ready document cannot be built from the given data."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class OptionError(ConnectorError):
    """A connector option is wrong, or its template fails to render."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"option '{option}': {message}")
        self.option = option


class EncodingProblem(ConnectorError):
    """Text that the chosen CSV encoding cannot represent (names row, column, character)."""

    def __init__(self, message: str, *, row: int, column: str, character: str) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.character = character


class UnknownFormat(ConnectorError):
    """No format with this id is registered."""


class DestinationRefused(ConnectorError):
    """An outgoing address or path is not allowed (SSRF guard, path escape)."""


class MissingData(ConnectorError):
    """The document lacks data the format needs; ``missing`` lists each requirement."""

    def __init__(self, format_id: str, missing: list[object]) -> None:
        messages = "; ".join(str(getattr(r, "message", r)) for r in missing)
        super().__init__(f"{format_id}: {messages}")
        self.format_id = format_id
        self.missing = missing
