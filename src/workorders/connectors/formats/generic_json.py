"""``generic_json``: the invoice-ready document itself, for receivers that map it.

The body is :func:`to_json_dict` output (decimal strings, ISO dates, keys in the
documented order) so it validates against ``docs/invoice-document.schema.json``.
``article_map`` fills each line's ``erp_article``; ``unit_map`` is not applied,
because ``unit_code`` is UN/ECE by contract.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from ..document import InvoiceDocument
from ..serialize import to_json_dict
from ..templating import erp_article, mapping_option
from .base import BUYER_NAME, CREDITED_NUMBER, Format, Payload, Requirement


def render(doc: InvoiceDocument, options: Mapping[str, Any],
           template_context: Mapping[str, Any]) -> Payload:
    article_map = mapping_option(options, "article_map")
    if article_map:
        lines = tuple(dataclasses.replace(x, erp_article=erp_article(x, article_map))
                      for x in doc.lines)
        doc = dataclasses.replace(doc, lines=lines)
    text = json.dumps(to_json_dict(doc), indent=2, ensure_ascii=False) + "\n"
    return Payload(text.encode("utf-8"), "application/json", "json")


def requirements(options: Mapping[str, Any]) -> list[Requirement]:
    return [BUYER_NAME, CREDITED_NUMBER]


FORMAT = Format("generic_json", "Invoice-ready document (JSON)", render, requirements)
