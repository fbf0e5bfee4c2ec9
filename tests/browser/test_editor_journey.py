"""Issue 13's "done when", in Chromium against ``workorders demo``: an admin starts a
draft from the published version, adds a form field, a lifecycle state and a rule,
sees a mistake marked in the gutter at its line, jumps there from the problem list
and fixes it, watches the diagram and the form preview change, runs the golden
tests (one fails, is fixed), simulates on the demo history and sees the cases that
would change, and publishes with a comment. Then a technician on a phone gets the
new field, submits, and the new rule fires on the case with its trace."""

from __future__ import annotations

import uuid
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DemoApi, demo_token, new_context, sign_in_as, watch_dialogs
from tests.browser.test_editor_concurrency import watch_console
from tests.browser.test_technician_job import _fill_report, _scheduled_job

FIELD = """- id: roof_work
  type: boolean
  label: Work on the roof
"""
STATE = """- id: on_hold
  label: On hold
  owner: coordinator
"""
TRANSITIONS = """- id: hold
  from: in_progress
  to: on_hold
  roles:
  - coordinator
- id: resume
  from: on_hold
  to: in_progress
  roles:
  - coordinator
"""
#: the rule as first typed: "equals" is no op (the mistake is on its 9th line)
RULE = """- id: roof_work_needs_safety_check
  description: Roof work needs the coordinator to check the harness log
  case_types:
  - installation
  'on':
  - submit
  when:
    fact: form.roof_work
    op: equals
    value: true
  then:
  - raise_exception:
      code: ROOF_WORK
      severity: medium
      assign: coordinator
      message: 'Roof work on {{ case.number }}: check the harness log'
"""
MISTAKE_OFFSET = 8
#: a golden test for the rule; it forgets the customer's signature at first, so the
#: missing-signature rule fires too and the test fails until the signature is added
TEST = """- name: roof work asks for the harness check
  case:
    case_type: installation
    status: in_progress
  submit:
    form: installation_report
    data:
      time:
      - date: '2026-11-20'
        hours: '3'
        labor: install
      work_description: Outdoor unit on a roof bracket
      photos:
      - example
      roof_work: true
  expect:
    fired:
    - roof_work_needs_safety_check
    not_fired:
    - missing_signature
    exceptions:
    - ROOF_WORK
"""
SIGNATURE = """customer_signature:
  name: Eva Lund
  image: sig-1
customer_name: Eva Lund
"""


def _cm(page: Any, script: str, arg: Any = None) -> Any:
    """Run ``script`` with the page's CodeMirror as ``cm`` (and ``arg``)."""
    return page.evaluate("([body, arg]) => { const cm = document.querySelector('.CodeMirror')"
                         ".CodeMirror; return new Function('cm', 'arg', body)(cm, arg); }",
                         [script, arg])


def _line_of(page: Any, text: str) -> int:
    """The 0-based number of the first line that is ``text`` (indentation aside)."""
    line = int(_cm(page, "return cm.getValue().split('\\n')"
                         ".findIndex((l) => l.trim() === arg);", text))
    assert line >= 0, f"no line reads {text!r}"
    return line


def _insert_before(page: Any, anchor: str, block: str) -> int:
    """Paste ``block`` (indented like the anchor line) just above the first line that
    starts with ``anchor``, as CodeMirror pastes; answers its first line. (Playwright's
    insert_text reaches CodeMirror's input poll later, after the next cursor move.)"""
    line = _line_of(page, anchor)
    _cm(page, "const indent = cm.getLine(arg.line).match(/^\\s*/)[0]; cm.focus();"
              " cm.replaceRange(arg.rows.map((r) => indent + r + '\\n').join(''),"
              " {line: arg.line, ch: 0}, undefined, 'paste');"
              " cm.setCursor(arg.line + arg.rows.length, 0);"
              " cm.scrollIntoView({line: arg.line, ch: 0}, 200);",
        {"line": line, "rows": block.splitlines()})
    return line


def _saved(page: Any) -> None:
    """Wait until the newest edit is checked and autosaved."""
    page.wait_for_selector("[data-testid=editor-status]:text-matches('^Saved')", timeout=30_000)


def _open_panel(page: Any, name: str) -> Any:
    panel = page.locator(f"[data-testid=panel-{name}]")
    if panel.get_attribute("open") is None:
        panel.locator(":scope > summary").click()
    return panel


def test_an_admin_changes_the_workflow_and_a_technician_gets_it(demo_server: DemoServer,
                                                                  browser: Any) -> None:
    office = new_context(browser)
    page = office.new_page()
    page.set_default_timeout(30_000)  # the demo server shares two cores with the suite
    dialogs = watch_dialogs(page)
    complaints: list[str] = []
    watch_console(page, complaints)
    sign_in_as(page, demo_server, "admin")

    # a draft from the published version, straight into the editor
    page.goto(demo_server.url + "/admin/definitions")
    page.click("[data-testid=draft-from-published]")
    page.wait_for_selector("[data-testid=codemirror]")
    number = int(page.url.rstrip("/").split("/")[-2])
    assert "It validates" in page.inner_text("[data-testid=check-summary]")
    forms = _open_panel(page, "forms")
    forms.scroll_into_view_if_needed()  # its phone frame loads when it comes into view
    preview = page.frame_locator("[data-testid=preview-installation_report]")
    preview.locator("h1:has-text('Installation report')").wait_for()
    assert preview.locator("text=Work on the roof").count() == 0
    assert page.locator("[data-testid=panel-lifecycle] [data-state=on_hold]").count() == 0

    # a new field and a new state: the diagram and the form preview follow the save
    _insert_before(page, "- id: installed_heat_pump", FIELD)
    _insert_before(page, "- id: work_done", STATE)
    _insert_before(page, "- id: schedule", TRANSITIONS)
    _saved(page)
    page.wait_for_selector("[data-testid=panel-lifecycle] [data-state=on_hold]",
                           state="attached")
    assert "Hold" in page.locator("[data-testid=transitions-installation]").text_content()
    preview.locator("text=Work on the roof").wait_for()
    assert forms.get_attribute("open") is not None

    # autocomplete offers the new field as a fact, by itself after "form."
    end = _cm(page, "cm.focus(); cm.setCursor(cm.lineCount(), 0); return cm.lineCount() - 1;")
    page.keyboard.type("# form.")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    for _ in range(20):  # the words are fetched again after the save that added the field
        if "form.roof_work" in hints.inner_text():
            break
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
        page.keyboard.press("Control+Space")
        hints.wait_for()
    assert "form.roof_work" in hints.inner_text() and "boolean" in hints.inner_text()
    page.keyboard.press("Escape")
    _cm(page, "cm.replaceRange('', {line: arg, ch: 0}, {line: cm.lineCount(), ch: 0});", end)
    _saved(page)

    # a rule with a mistake: marked in the gutter at its line, listed, one click away
    first = _insert_before(page, "- id: overtime_needs_approval", RULE)
    wrong = first + MISTAKE_OFFSET
    assert "op: equals" in _cm(page, "return cm.getLine(arg);", wrong)
    _saved(page)
    page.wait_for_selector(".CodeMirror-lint-marker-error")
    marked = _cm(page, "const lines = []; cm.eachLine((h) => { const info = cm.lineInfo(h);"
                       " if (info.gutterMarkers && info.gutterMarkers['CodeMirror-lint-markers'])"
                       " lines.push(info.line); }); return lines;")
    assert marked == [wrong]
    problem = page.locator("[data-testid=problems] li", has_text=f"Line {wrong + 1}")
    assert "not one of" in problem.inner_text() and "equals" in problem.inner_text()
    assert "1 error" in page.inner_text("[data-testid=check-summary]")
    page.wait_for_selector("[data-testid=panels-note]", state="visible")
    _cm(page, "cm.setCursor(0, 0);")
    problem.locator("button.editor-jump").click()
    assert _cm(page, "return cm.getCursor().line;") == wrong
    page.keyboard.press("End")
    for _ in range(len("equals")):
        page.keyboard.press("Backspace")
    page.keyboard.type("eq")
    _saved(page)
    page.wait_for_selector("[data-testid=check-summary]:has-text('It validates')")
    assert page.locator(".CodeMirror-lint-marker-error").count() == 0
    page.wait_for_selector("[data-testid=panels-note]", state="hidden")
    page.wait_for_selector("[data-testid=panel-rules] [data-rule=roof_work_needs_safety_check]",
                           state="attached")

    # a golden test for the rule fails (no signature in its data), then passes
    _insert_before(page, "- name: overtime without signature is blocked", TEST)
    _saved(page)
    page.wait_for_selector("[data-testid=check-summary]:has-text('Golden tests: 6 of 7 pass')")
    failing = page.locator("[data-testid=problems] li.editor-problem-test")
    assert "roof work asks for the harness check" in failing.inner_text()
    _open_panel(page, "tests")
    page.wait_for_selector("[data-testid=tests-summary]:has-text('1 of 7 golden tests fail')")
    assert "missing_signature" in page.inner_text("[data-testid=panel-tests]")
    _insert_before(page, "roof_work: true", SIGNATURE)
    _saved(page)
    page.wait_for_selector("[data-testid=check-summary]:has-text('Golden tests: 7 of 7 pass')")
    page.wait_for_selector("[data-testid=tests-summary]:has-text('All 7 golden tests pass')")

    # approvals from 1 hour on: the demo's reports (2 h each) would now need one
    hours = _line_of(page, "value: 16")
    _cm(page, "const t = cm.getLine(arg); cm.focus();"
              " cm.setSelection({line: arg, ch: t.indexOf('16')}, {line: arg, ch: t.length});",
        hours)
    page.keyboard.type("1")
    _saved(page)
    simulate = _open_panel(page, "simulate")
    simulate.locator("[data-testid=simulate]").click()
    page.wait_for_selector("[data-testid=simulation-summary]")
    assert "would come out differently" in page.inner_text("[data-testid=simulation-summary]")
    changed = page.locator("[data-testid=simulation-changes] tbody tr")
    assert changed.count() >= 1
    assert "overtime_needs_approval" in changed.first.inner_text()

    # publish with a comment, from the editor's own link
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=publish-form]")
    assert "roof" in page.inner_text("[data-testid=publish-changes]").lower()
    page.fill("#comment", "Roof work gets a harness check; approvals from one hour")
    page.click("[data-testid=publish-button]")
    page.wait_for_selector(f"[data-testid=version-{number}].version-published")
    assert "Roof work gets a harness check" in page.inner_text(f"[data-testid=version-{number}]")
    office.close()

    # the technician's next job is on the new version: the field, and the rule's trace
    coordinator = DemoApi(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    title = f"Roof job {uuid.uuid4().hex[:8]}"
    case = _scheduled_job(coordinator, title)
    phone = new_context(browser, phone=True)
    tech = phone.new_page()
    tech.set_default_timeout(30_000)
    dialogs += watch_dialogs(tech)
    watch_console(tech, complaints)
    sign_in_as(tech, demo_server, "technician")
    tech.goto(demo_server.url + "/my")
    tech.click(f"[data-testid=job]:has-text('{title}')")
    tech.click("[data-testid=transition-start]")
    tech.wait_for_selector("text=Done: Start")
    tech.click("[data-testid=fill-installation_report]")
    tech.wait_for_selector("h1:has-text('Installation report')")
    tech.wait_for_load_state("load")
    assert tech.locator("text=Work on the roof").is_visible()
    _fill_report(tech)
    tech.click("label.choice-btn:has(input[name=roof_work][value=true])")
    tech.click("[data-testid=submit-final]")
    # sent, the technician is taken on to the next report; the case page shows the outcome
    tech.wait_for_url(f"**/cases/{case['id']}/forms/commissioning_protocol", timeout=60_000)
    tech.wait_for_selector("text=Sent: Installation report, revision 1.")
    tech.goto(f"{demo_server.url}/cases/{case['id']}")
    raised = tech.locator("[data-testid=case-exception][data-code=ROOF_WORK]")
    raised.wait_for()
    assert "check the harness log" in raised.inner_text()
    assert raised.locator("[data-testid=why] li").count() >= 1
    assert "roof" in raised.locator("[data-testid=why]").inner_text().lower()
    phone.close()
    assert dialogs == [] and complaints == []
