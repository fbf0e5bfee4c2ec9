"""Filters fold behind one button on a phone and stay open on a desktop; the
first Tab on any page reaches "Skip to content", which lands in the main part."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import DemoServer
from tests.browser.helpers import signed_in_page


def _fold_open(browser: Any, server: DemoServer, phone: bool) -> bool:
    with signed_in_page(browser, server, "carl@nordvarme.test", phone=phone) as page:
        page.goto(server.url + "/cases")
        page.wait_for_load_state("load")
        return bool(page.eval_on_selector("details.fold", "d => d.open"))


def test_filters_fold_on_a_phone_only(browser: Any, demo_server: DemoServer) -> None:
    assert _fold_open(browser, demo_server, phone=False) is True
    assert _fold_open(browser, demo_server, phone=True) is False


def test_the_first_tab_reaches_skip_to_content(browser: Any, demo_server: DemoServer) -> None:
    with signed_in_page(browser, demo_server, "carl@nordvarme.test") as page:
        page.goto(demo_server.url + "/board")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == "Skip to content"
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["y"] >= 0  # visible once focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content"
