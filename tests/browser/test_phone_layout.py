"""The app on a phone (390x844, issue 15), in Chromium against ``workorders demo``.

On every main page, as an admin (every page), a coordinator and a technician:

- nothing scrolls sideways (a failure names the elements that stick out);
- the main menu is folded behind "Menu" (the bar at most 64 px tall) until it is
  tapped, then every menu link shows, and the current page's link stays marked;
- tables are cards: no table is wider than the screen;
- every button, link drawn as a button or standing alone, summary and field is at
  least 44x44 CSS px (checkboxes and radios through their label); links inside a
  sentence (a ``<p>``) are exempt, as WCAG 2.5.8 allows.

A desktop keeps its one-line menu with no Menu button. With
``WORKORDERS_PHONE_SHOTS=<folder>`` the test also saves the phone screenshots
docs/pages.md shows.
"""

from __future__ import annotations

import os
import re
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DemoApi as Api
from tests.browser.helpers import book_by_api, demo_token, sign_in_as, signed_in_page

WIDTH = 390
MAX_BAR = 64
MIN_TARGET = 44

# What sticks out, what is too small, and which tables are too wide, measured in the
# page. An element inside its own sideways scroller (the board's columns, the
# lifecycle diagram) does not widen the page and is not named.
PROBE = """
(min) => {
  const vw = document.documentElement.clientWidth;
  const shown = el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    for (let n = el; n; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.visibility === 'hidden' || s.display === 'none') return false;
    }
    return true;
  };
  const scrolled = el => {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      const o = getComputedStyle(n).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const name = el => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    const cls = el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + cls + (text ? ' "' + text + '"' : '');
  };
  const out = {scroll: document.documentElement.scrollWidth, wide: [], small: [], tables: []};
  if (out.scroll > vw) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && shown(el) && !scrolled(el)) {
        out.wide.push(name(el) + ' ends at ' + Math.round(r.right));
      }
    }
  }
  for (const t of document.querySelectorAll('main table')) {
    if (!shown(t)) continue;
    const w = t.getBoundingClientRect().width;
    if (w > vw) out.tables.push(name(t).slice(0, 60) + ' is ' + Math.round(w) + ' px wide');
  }
  const targets = document.querySelectorAll(
    'button, [role=button], summary, select, textarea, input:not([type=hidden]), a[href]');
  for (const el of targets) {
    if (el.classList.contains('skip-link')) continue;   // off screen until focused
    if (el.tagName === 'A' && el.closest('p')) continue; // a link inside a sentence
    let box = el;
    if (el.type === 'checkbox' || el.type === 'radio') {
      box = el.closest('label')
        || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el;
    }
    if (!shown(box)) continue;
    const r = box.getBoundingClientRect();
    if (r.height < min - 0.5 || r.width < min - 0.5) {
      out.small.push(name(el) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
    }
  }
  return out;
}
"""


def _check(page: Any, where: str) -> list[str]:
    """Everything wrong with the page on a phone, as sentences (empty when fine).

    Waits for the page's load event first: after a click that navigates, the new page's
    elements can be found before its stylesheets have arrived, and a box measured then
    is the unstyled one (CI saw the brand link 40 px tall that way)."""
    page.wait_for_load_state("load")
    found = page.evaluate(PROBE, MIN_TARGET)
    problems: list[str] = []
    if found["scroll"] > WIDTH:
        problems.append(f"{where} scrolls sideways ({found['scroll']} px); sticking out: "
                        + "; ".join(found["wide"][:12]))
    if found["tables"]:
        problems.append(f"{where}: tables wider than the screen: " + "; ".join(found["tables"]))
    if found["small"]:
        problems.append(f"{where}: tap targets under {MIN_TARGET} px: "
                        + "; ".join(sorted(set(found["small"]))[:25]))
    return problems


def _check_menu(page: Any, where: str) -> list[str]:
    """The menu is folded under a short bar, and Menu opens it with every link."""
    problems: list[str] = []
    toggle = page.locator("[data-testid=nav-toggle]")
    if not toggle.is_visible():
        return [f"{where}: no Menu button"]
    bar = page.locator("header.topbar").bounding_box()
    if bar["height"] > MAX_BAR:
        problems.append(f"{where}: the folded bar is {round(bar['height'])} px tall")
    links = page.locator("ul.mainnav > li > a")
    if any(links.nth(i).is_visible() for i in range(links.count())):
        problems.append(f"{where}: menu links show before Menu is tapped")
    if toggle.get_attribute("aria-expanded") != "false":
        problems.append(f"{where}: the folded Menu says aria-expanded="
                        f"{toggle.get_attribute('aria-expanded')}")
    toggle.click()
    if toggle.get_attribute("aria-expanded") != "true":
        problems.append(f"{where}: the open Menu does not say aria-expanded=true")
    hidden = [links.nth(i).inner_text() for i in range(links.count())
              if not links.nth(i).is_visible()]
    if hidden:
        problems.append(f"{where}: after Menu, links still hidden: {', '.join(hidden)}")
    problems += _check(page, where + " (menu open)")
    toggle.click()
    return problems


def _case_path(api: Api, title: str) -> str:
    """A scheduled case of the technician's (Tove), booked through the API."""
    start = datetime.now(UTC) + timedelta(hours=2)
    case = book_by_api(api, title, start, start + timedelta(hours=2),
                       assignee="tove@nordvarme.test", schedule=True)
    return f"/cases/{case['id']}"


def _form_path(page: Any, server: DemoServer, case_path: str) -> str:
    """The address of the case's first form, as its page links it."""
    page.goto(server.url + case_path)
    href = page.locator("a[href*='/forms/']").first.get_attribute("href")
    assert href, "the case page links no form"
    return re.sub(r"\?.*$", "", href)


# the admin sees every page (the demo's admin also holds the invoice and secret rights)
ADMIN_PAGES = ["/", "/board", "/cases", "/dispatch", "/exceptions", "/approvals", "/exports",
               "/reconciliation", "/secrets", "/admin", "/admin/people", "/admin/tokens",
               "/admin/jobs", "/admin/definitions", "/admin/history", "/my"]
COORDINATOR_PAGES = ["/", "/board", "/cases", "/dispatch", "/exceptions", "/approvals"]
TECHNICIAN_PAGES = ["/my", "/", "/board", "/approvals"]


def _signed_in(browser: Any, server: DemoServer, role: str, *,
               phone: bool = True) -> AbstractContextManager[Any]:
    """A page signed in as the demo's person for ``role``, on a phone unless told."""
    return signed_in_page(browser, server, server.logins[role][0], phone=phone)


def _walk(browser: Any, server: DemoServer, role: str, paths: list[str],
          shots: Path | None = None) -> list[str]:
    problems: list[str] = []
    with _signed_in(browser, server, role) as page:
        for path in paths:
            response = page.goto(server.url + path)
            assert response is not None, path
            assert response.ok, f"{path} answered {response.status}"
            page.wait_for_load_state("load")
            where = f"{role} on {path}"
            if shots is not None and path in ("/my", "/exports"):
                page.screenshot(path=str(shots / f"phone-{path.strip('/')}.png"))
            if shots is not None and path == "/my" and role == "technician":
                page.click("[data-testid=nav-toggle]")
                page.screenshot(path=str(shots / "phone-menu.png"))
                page.click("[data-testid=nav-toggle]")
            problems += _check_menu(page, where)
            problems += _check(page, where)
    return problems


def _shots() -> Path | None:
    folder = os.environ.get("WORKORDERS_PHONE_SHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_every_main_page_fits_a_phone(browser: Any, demo_server: DemoServer) -> None:
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    case_path = _case_path(api, "Phone layout check")
    with _signed_in(browser, demo_server, "technician") as page:
        form_path = _form_path(page, demo_server, case_path)
    shots = _shots()
    problems = _walk(browser, demo_server, "admin", [*ADMIN_PAGES, case_path, form_path], shots)
    problems += _walk(browser, demo_server, "coordinator", [*COORDINATOR_PAGES, case_path])
    problems += _walk(browser, demo_server, "technician",
                      [*TECHNICIAN_PAGES, case_path, form_path], shots)
    assert not problems, "\n".join(problems)


def test_the_menu_marks_the_current_page_and_folds_again(browser: Any,
                                                         demo_server: DemoServer) -> None:
    with _signed_in(browser, demo_server, "coordinator") as page:
        page.goto(demo_server.url + "/cases")
        toggle = page.locator("[data-testid=nav-toggle]")
        toggle.click()
        current = page.locator("ul.mainnav a[aria-current=page]")
        assert current.inner_text() == "Cases" and current.is_visible()
        # the account menu opens in the list, and Sign out is thumb-sized
        page.locator("ul.mainnav details.dropdown > summary").click()
        sign_out = page.locator("[data-testid=logout]")
        assert sign_out.is_visible()
        box = sign_out.bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET and box["width"] >= MIN_TARGET
        page.locator("ul.mainnav details.dropdown > summary").click()
        toggle.focus()
        page.keyboard.press("Escape")  # folds it again and hands focus back to Menu
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not current.is_visible()
        assert page.evaluate("document.activeElement.dataset.testid") == "nav-toggle"
        current_box = page.locator("header.topbar").bounding_box()
        assert current_box is not None and current_box["height"] <= MAX_BAR


def test_the_board_folds_its_filters_behind_one_button(browser: Any,
                                                      demo_server: DemoServer) -> None:
    with _signed_in(browser, demo_server, "coordinator") as page:
        page.goto(demo_server.url + "/board?q=Heat")
        fold = page.locator("details.fold")
        assert fold.evaluate("d => d.open") is False
        assert not page.locator("input[name=q]").is_visible()
        summary = fold.locator("summary")
        assert summary.inner_text().strip() == "Filters (1 on)"
        summary.click()
        assert page.locator("input[name=q]").input_value() == "Heat"


def test_without_javascript_the_menu_stays_open(browser: Any, demo_server: DemoServer) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True,
                                  has_touch=True, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, demo_server, "coordinator")
        page.goto(demo_server.url + "/board")
        assert not page.locator("[data-testid=nav-toggle]").is_visible()
        links = page.locator("ul.mainnav > li > a")
        assert links.count() >= 5
        assert all(links.nth(i).is_visible() for i in range(links.count()))
    finally:
        context.close()


def test_a_desktop_keeps_its_one_line_menu(browser: Any, demo_server: DemoServer) -> None:
    with _signed_in(browser, demo_server, "coordinator", phone=False) as page:
        page.goto(demo_server.url + "/cases")
        assert not page.locator("[data-testid=nav-toggle]").is_visible()
        links = page.locator("ul.mainnav > li > a")
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert len(tops) == 1, f"the menu links sit on {len(tops)} lines"
        # ...and on the brand's line: the bar did not grow a second row
        brand = page.locator("header.topbar .brand").bounding_box()
        first = links.first.bounding_box()
        assert abs((brand["y"] + brand["height"] / 2) - (first["y"] + first["height"] / 2)) < 4
        assert page.locator("li.nav-toggle-item").bounding_box() is None  # takes no room
        assert page.locator("ul.mainnav a[aria-current=page]").inner_text() == "Cases"
        # the case list is still a real table on a desktop
        assert page.eval_on_selector("table.cards", "t => getComputedStyle(t).display") == "table"
