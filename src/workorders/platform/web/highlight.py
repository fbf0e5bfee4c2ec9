"""Server-side syntax highlighting of export payloads for the exports page.

Every piece of the payload is HTML-escaped before it is wrapped in a ``<span>``,
so a customer name like ``<script>`` in an invoice is shown, never run; no
JavaScript is needed. JSON, XML and CSV get token classes (``hl-key``,
``hl-str``, ``hl-num``, ``hl-lit``, ``hl-tag``, ``hl-attr``, ``hl-sep``...).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

PREVIEW_LIMIT = 200_000
_JSON = re.compile(r'("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)'
                   r'|\b(true|false|null)\b')
_XML_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_XML_PART = re.compile(r'^(</?|<\?)([\w:.-]+)|([\w:.-]+)(=)("[^"]*"|\'[^\']*\')')


def _span(css: str, text: str) -> str:
    return f'<span class="hl-{css}">{escape(text)}</span>'


def _tokens(text: str, pattern: re.Pattern[str], render: Callable[[re.Match[str]], str]) -> str:
    out, pos = [], 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[pos:match.start()])))
        out.append(render(match))
        pos = match.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def _json_token(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return _span("key" if m.group(2) else "str", m.group(1)) + str(escape(m.group(2) or ""))
    if m.group(3) is not None:
        return _span("num", m.group(3))
    return _span("lit", m.group(4))


def _xml_inside(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return str(escape(m.group(1))) + _span("tag", m.group(2))
    return _span("attr", m.group(3)) + "=" + _span("str", m.group(5))


def _xml_token(m: re.Match[str]) -> str:
    tag = m.group(0)
    if tag.startswith("<!--"):
        return _span("comment", tag)
    return f'<span class="hl-markup">{_tokens(tag, _XML_PART, _xml_inside)}</span>'


def _csv(text: str) -> str:
    lines = text.splitlines(keepends=True)
    delimiter = ";" if lines and lines[0].count(";") >= lines[0].count(",") else ","
    sep = re.compile(re.escape(delimiter))
    out = []
    for n, line in enumerate(lines):
        body = _tokens(line, sep, lambda m: _span("sep", m.group(0)))
        out.append(f'<span class="hl-key">{body}</span>' if n == 0 else body)
    return "".join(out)


def decode(body: bytes) -> str:
    """The payload as text: UTF-8, else Windows-1252 (what the CSV format may write)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")


def highlight(body: bytes, content_type: str) -> Markup:
    """Escaped, highlighted HTML for a ``<pre>``; long payloads are cut (download them)."""
    text = decode(body[:PREVIEW_LIMIT])
    if "json" in content_type:
        html = _tokens(text, _JSON, _json_token)
    elif "xml" in content_type:
        html = _tokens(text, _XML_TAG, _xml_token)
    elif "csv" in content_type:
        html = _csv(text)
    else:
        html = str(escape(text))
    return Markup(html)  # safe: every piece above went through escape()
