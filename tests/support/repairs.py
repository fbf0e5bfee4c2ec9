"""Two versions of a small repair bundle (pure text: unit tests use it too).

Version 2 renames the state ``waiting`` to ``on_hold``, removes ``review``,
renames the case field ``urgency`` to a required ``priority``, caps the
report's notes at 40 characters, changes the rule ``long_job`` (8 h -> 4 h),
drops the rule ``no_notes`` and raises the travel price (which changes an
invoice that has travel on it).
"""

from __future__ import annotations

from pathlib import Path

V1 = (Path(__file__).parent / "repairs-v1.yaml").read_text(encoding="utf-8")
V2 = (V1.replace("- {id: waiting, label: Waiting, owner: coordinator}",
                 "- {id: on_hold, label: On hold, owner: coordinator}")
      .replace("        - {id: review, label: Review, owner: coordinator}\n", "")
      .replace("- {id: wait, from: in_progress, to: waiting, roles: [coordinator]}",
               "- {id: hold, from: in_progress, to: on_hold, roles: [coordinator]}")
      .replace("- {id: resume, from: waiting, to: in_progress, roles: [coordinator]}",
               "- {id: resume, from: on_hold, to: in_progress, roles: [coordinator]}")
      .replace("        - {id: to_review, from: in_progress, to: review, roles: [coordinator]}\n",
               "")
      .replace("from: [in_progress, review], to: done", "from: [in_progress], to: done")
      .replace("- {id: urgency, type: text, label: Urgency}",
               "- {id: priority, type: text, label: Priority, required: true}")
      .replace("max_length: 400}", "max_length: 40}")
      .replace("op: gt, value: 8}", "op: gt, value: 4}")
      .replace("price: 400.00", "price: 450.00"))
V2 = V2[:V2.index("  - id: no_notes")] + V2[V2.index("connectors:"):]
