"""The dispatch week on a desktop (1280x900), in Chromium against ``workorders
demo``: a case dragged from the unassigned list onto a technician's day lands
there with its time of day kept; the Move form (no dragging) moves a case; a
double-booking is marked on both blocks; on a phone the week is a day-by-day
list. The desktop screenshot for docs/pages.md is taken here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DemoApi as Api
from tests.browser.helpers import book_by_api, demo_token, sign_in, signed_in_page

WEEK = "2027-W10"  # Monday 8 March 2027: far from the demo's own cases
TOVE, TIM = "tove@nordvarme.test", "tim@nordvarme.test"
SHOTS = Path(os.environ.get("WORKORDERS_SCREENSHOTS", "/tmp/workorders-shots"))
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _book(api: Api, title: str, day: int, start: str, end: str,
          assignee: str | None) -> dict[str, Any]:
    """A job on ``day`` of March 2027 from ``start`` to ``end`` (HH:MM, Swedish winter time)."""
    return book_by_api(api, title, f"2027-03-{day:02d}T{start}:00+01:00",
                       f"2027-03-{day:02d}T{end}:00+01:00", assignee=assignee)


def test_drag_move_form_and_double_booking(browser: Any, demo_server: DemoServer) -> None:
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    loose = _book(api, "Drag me to Tim", 9, "10:00", "12:00", None)
    fallback = _book(api, "Move me without dragging", 10, "09:00", "11:00", TOVE)
    first = _book(api, "Morning service", 11, "08:00", "12:00", TIM)
    second = _book(api, "Overlapping repair", 11, "10:00", "13:00", TIM)
    with signed_in_page(browser, demo_server, "carl@nordvarme.test") as page:
        page.goto(f"{demo_server.url}/dispatch?week={WEEK}")
        grid = page.locator("[data-testid=dispatch-grid]")
        assert grid.is_visible()

        # a double-booking is marked on both blocks, in words
        for this, other in ((first, second), (second, first)):
            mark = grid.locator(f"[data-testid=conflict-{this['id']}]")
            assert mark.is_visible()
            assert f"Double-booked with {other['number']}" in mark.inner_text()

        # drag from the unassigned list onto Tim's Wednesday: 10:00–12:00 kept
        side = page.locator("[data-testid=unassigned]")
        assert side.locator(f"[data-testid=block-{loose['id']}]").is_visible()
        target = f"[data-testid='cell-{TIM}-2027-03-10']"
        with page.expect_navigation():
            page.drag_and_drop(f"[data-testid=unassigned] [data-testid=block-{loose['id']}]",
                               target)
        placed = page.locator(f"{target} [data-testid=block-{loose['id']}]")
        placed.wait_for()
        assert "10:00" in placed.inner_text() and "12:00" in placed.inner_text()
        assert side.locator(f"[data-testid=block-{loose['id']}]").count() == 0
        _, after = api.call("GET", f"/api/v1/cases/{loose['id']}")
        assert after["assignee"] == TIM and after["scheduled_start"].startswith("2027-03-10T09:00")

        # the Move form, no dragging: Tove's Wednesday job to Tim's Friday afternoon
        block = grid.locator(f"[data-testid=block-{fallback['id']}]")
        block.locator(f"[data-testid=move-{fallback['id']}]").click()
        form = block.locator("form.move-form")
        form.locator("select[name=assignee]").select_option(TIM)
        form.locator("input[name=start]").fill("2027-03-12T13:00")
        form.locator("input[name=end]").fill("2027-03-12T15:00")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        moved = page.locator(f"[data-testid='cell-{TIM}-2027-03-12'] "
                             f"[data-testid=block-{fallback['id']}]")
        moved.wait_for()
        assert "13:00" in moved.inner_text()
        assert f"Moved {fallback['number']}." in page.locator(".flash").first.inner_text()

        # a stale drag (the case changed behind the page) is refused in words
        shown = grid.locator(f"[data-testid=block-{first['id']}]").get_attribute("data-version")
        code, changed = api.call("PATCH", f"/api/v1/cases/{first['id']}",
                                 {"title": "Morning service (renamed)"})
        assert code == 200 and str(changed["version"]) != shown, (shown, changed["version"])
        # (Tim's own Tuesday: source and target in view together, so no scroll mid-drag)
        page.drag_and_drop(f"[data-testid=block-{first['id']}]",
                           f"[data-testid='cell-{TIM}-2027-03-09']")
        status = page.locator("#dispatch-status")
        status.get_by_text("nothing was moved").wait_for()
        _, unchanged = api.call("GET", f"/api/v1/cases/{first['id']}")
        assert unchanged["scheduled_start"] == first["scheduled_start"]

        page.reload()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "dispatch-week.png"))
        if os.environ.get("WORKORDERS_DOC_SHOTS"):
            page.screenshot(path=str(DOCS_IMG / "dispatch-week.png"))


def test_on_a_phone_the_week_is_a_day_by_day_list(browser: Any,
                                                  demo_server: DemoServer) -> None:
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    case = _book(api, "Phone list job", 15, "08:00", "09:00", TOVE)
    with signed_in_page(browser, demo_server, "carl@nordvarme.test", phone=True,
                        timeout=30_000) as page:
        page.goto(f"{demo_server.url}/dispatch?week=2027-W11")
        assert not page.locator("[data-testid=dispatch-grid]").is_visible()
        days = page.locator("[data-testid=dispatch-days]")
        assert days.is_visible()
        assert case["number"] in days.inner_text() and "Tove Technician" in days.inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        days.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "dispatch-phone.png"))


def test_on_a_tablet_a_touch_press_and_lift_moves_a_case(browser: Any,
                                                         demo_server: DemoServer) -> None:
    """Touch screens fire no HTML5 drags: the pointer fallback carries the move.
    The touch pointer events are dispatched by the page (Playwright's touch API
    only taps), at the coordinates of the block and of the day it is lifted over."""
    api = Api(demo_server.url, demo_token(demo_server, "carl@nordvarme.test"))
    case = _book(api, "Touch me to Tove", 22, "14:00", "15:30", None)  # Monday, week 12
    context = browser.new_context(viewport={"width": 1180, "height": 820}, has_touch=True,
                                  timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, demo_server, "carl@nordvarme.test")
        page.goto(f"{demo_server.url}/dispatch?week=2027-W12")
        source = page.locator(f"[data-testid=unassigned] [data-testid=block-{case['id']}]")
        target = page.locator(f"[data-testid='cell-{TOVE}-2027-03-24']")
        target.scroll_into_view_if_needed()
        with page.expect_navigation():
            page.evaluate("""([block, cell]) => {
              const at = (el) => { const r = el.getBoundingClientRect();
                                   return {x: r.left + r.width / 2, y: r.top + r.height / 2}; };
              const from = at(block), to = at(cell);
              const fire = (el, type, p) => el.dispatchEvent(new PointerEvent(type, {
                bubbles: true, pointerType: "touch", clientX: p.x, clientY: p.y}));
              fire(block.querySelector(".block-title"), "pointerdown", from);
              fire(document.elementFromPoint(to.x, to.y), "pointermove", to);
              fire(document.elementFromPoint(to.x, to.y), "pointerup", to);
            }""", [source.element_handle(), target.element_handle()])
        placed = page.locator(f"[data-testid='cell-{TOVE}-2027-03-24'] "
                              f"[data-testid=block-{case['id']}]")
        placed.wait_for()
        assert "14:00" in placed.inner_text() and "15:30" in placed.inner_text()
    finally:
        context.close()
