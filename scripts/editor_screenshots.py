"""Screenshots of the definition editor for docs/editor.md (not part of the suite).

Run ``.venv/bin/python scripts/editor_screenshots.py`` from the repository root. It
starts ``workorders demo`` on a fresh instance, signs in as the demo admin, starts a
draft from the published version (the versions page's button) and photographs the
editor in Chromium at desktop size: the whole page, a validation error marked in the
gutter, autocomplete, and each see-it panel. The pictures go to ``docs/img/editor-*.png``
(``--out`` changes the folder).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.processes import free_port, wait_for_http  # noqa: E402
from tests.support.services import CHROMIUM  # noqa: E402

PANELS = ("lifecycle", "forms", "rules", "connectors", "tests", "simulate")


def start_demo(instance: Path) -> tuple[subprocess.Popen[str], str, tuple[str, str]]:
    """``workorders demo`` on its own port; answers the process, its URL and the admin login."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORKORDERS_") and k != "REDIS_URL"}
    env["WORKORDERS_INSTANCE_DIR"] = str(instance)
    proc = subprocess.Popen([sys.executable, "-m", "workorders", "demo", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    assert proc.stdout is not None
    admin: tuple[str, str] | None = None
    for line in proc.stdout:
        parts = line.split()
        if admin is None and len(parts) >= 4 and parts[0] == "admin" and parts[2] == "password:":
            admin = (parts[1], parts[3])
        if line.startswith("Serving at"):
            break
    # drain gunicorn's access log, or the pipe fills up and the server freezes
    threading.Thread(target=deque, args=(proc.stdout, 0), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    wait_for_http(url + "/healthz", proc=proc, timeout=60)
    assert admin is not None, "the demo printed no admin login"
    return proc, url, admin


def open_editor(page: Any, url: str, admin: tuple[str, str]) -> None:
    page.goto(url + "/login")
    page.fill("#email", admin[0])
    page.fill("#password", admin[1])
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Good to see you')")
    page.goto(url + "/admin/definitions")
    page.click("[data-testid=draft-from-published]")
    page.wait_for_selector("[data-testid=codemirror]")


def set_cursor(page: Any, line: int, ch: int) -> None:
    page.evaluate("([l, c]) => { const cm = document.querySelector('.CodeMirror').CodeMirror;"
                  " cm.focus(); cm.setCursor(l, c); }", [line, ch])


def line_of(page: Any, needle: str) -> int:
    return int(page.evaluate("(n) => document.querySelector('.CodeMirror').CodeMirror.getValue()"
                             ".split('\\n').findIndex((l) => l.includes(n))", needle))


def set_line(page: Any, old: str, new: str) -> None:
    """Replace the first line reading ``old`` (indentation aside) and wait for the save."""
    page.evaluate("([o, n]) => { const cm = document.querySelector('.CodeMirror').CodeMirror;"
                  " const l = cm.getValue().split('\\n').findIndex((t) => t.trim() === o);"
                  " const t = cm.getLine(l); cm.replaceRange(t.replace(o, n), {line: l, ch: 0},"
                  " {line: l, ch: t.length}); }", [old, new])
    page.wait_for_selector("[data-testid=editor-status]:text-matches('^Saved')")


def shoot(page: Any, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "editor-page.png"))
    for name in PANELS:
        panel = page.locator(f"[data-testid=panel-{name}]")
        page.evaluate("(n) => document.querySelectorAll('[data-panel]').forEach("
                      "(d) => { d.open = d.getAttribute('data-panel') === n; })", name)
        if name == "simulate":  # with a change the demo's history feels: approvals from 1 h
            set_line(page, "value: 16", "value: 1")
            panel.locator("[data-testid=simulate]").click()
            page.wait_for_selector("[data-testid=simulation-changes]")
        panel.evaluate("(el) => el.scrollIntoView({block: 'start'})")
        if name == "forms":
            page.frame_locator("[data-testid=preview-installation_report]").locator(
                "h1").wait_for()
        if name == "connectors":
            panel.locator("details").first.evaluate("(d) => { d.open = true; }")
        page.wait_for_timeout(400)  # Pico's opening animation of <details>
        page.screenshot(path=str(out / f"editor-panel-{name}.png"))
    set_line(page, "value: 1", "value: 16")
    page.evaluate("() => document.querySelectorAll('[data-panel]').forEach("
                  "(d) => { d.open = d.getAttribute('data-panel') === 'lifecycle'; })")
    page.evaluate("() => window.scrollTo(0, 0)")

    # a mistake, marked in the gutter and listed under the editor
    line = line_of(page, "op: gt")
    set_cursor(page, line, 0)
    page.evaluate("(l) => { const cm = document.querySelector('.CodeMirror').CodeMirror;"
                  " const text = cm.getLine(l); cm.replaceRange(text.replace('op: gt', "
                  "'op: greater'), {line: l, ch: 0}, {line: l, ch: text.length}); }", line)
    page.wait_for_selector(".CodeMirror-lint-marker-error")
    page.wait_for_selector("[data-testid=editor-status]:text-matches('^Saved')")
    page.locator(".editor-main").screenshot(path=str(out / "editor-error.png"))
    page.keyboard.press("Control+z")
    page.wait_for_selector("[data-testid=check-summary]:has-text('It validates')")

    # autocomplete after "form.": the admin retypes a rule's fact
    line = line_of(page, "fact: totals.hours")
    page.evaluate("(l) => { const cm = document.querySelector('.CodeMirror').CodeMirror;"
                  " const text = cm.getLine(l); const at = text.indexOf('totals.hours');"
                  " cm.focus(); cm.replaceRange('', {line: l, ch: at}, {line: l, ch: text.length});"
                  " cm.setCursor(l, at); }", line)
    page.keyboard.type("form.")
    page.wait_for_selector(".CodeMirror-hints")
    page.locator(".editor-main").screenshot(path=str(out / "editor-autocomplete.png"))
    page.keyboard.press("Escape")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="editor-shots-") as tmp:
        proc, url, admin = start_demo(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                page.set_default_timeout(20_000)
                open_editor(page, url, admin)
                shoot(page, args.out)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
