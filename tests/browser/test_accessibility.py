"""axe-core on every page of the app (issue 15), in Chromium against ``workorders demo``.

The list of pages is the app's own ``url_map``: every GET route is either reached
here with real ids of the demo tenant, or listed in ``SKIPPED`` with the reason it
is not a page. A new route that is neither fails the test, so a page cannot slip
past the check by being new.

Ids are found the way a person finds them: each signed-in crawl starts at the
routes without parameters and follows the links (and frames) the pages show,
keeping one address per route; what no page links to (a background task's page,
the links only emails carry, the editor's panels) is made through the API or the
CLI first and added as a seed.

Each crawl runs as admin and as technician, at desktop (1280x800) and phone
(390x844) size; the signed-out pages (login, the customer's approval and status
pages, choosing a password, choosing a workspace) run in contexts of their own,
and a coordinator opens the one page only coordinators reach (cancelling asks
why). The test fails on any violation axe rates serious or critical, naming the
page, the rule, its help text and the first elements it found.

axe does not judge focus, so a second test tabs onto the dark top bar and
measures the focus ring there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.browser.conftest import DemoServer
from tests.browser.helpers import DemoApi, demo_cli, demo_token, sign_in
from tests.browser.test_invite_flow import _set_password_link
from tests.browser.test_swedish_tenant import _service_case_asking_the_customer
from workorders.platform.web.definition_panels import PANEL_NAMES

AXE_JS = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(
    encoding="utf-8")

#: GET routes that are not pages a person reads, each with the reason. Every other
#: GET route must be reached by the crawl below, or the test fails.
SKIPPED: dict[str, str] = {
    "static": "stylesheets, scripts and icons: checked through the pages that use them",
    "healthz": "a plain-text probe for load balancers",
    "readyz": "a plain-text probe for load balancers",
    "web.case_list_csv": "the case list as a CSV download",
    "web.customer_lookup": "JSON for the booking form's customer search",
    "web.definition_vocabulary": "JSON for the definition editor's completion",
    "web.page_attachment": "a photo or signature file",
    "web.page_thumbnail": "a photo's thumbnail image",
    "public.tenant_logo": "the tenant's logo image",
}
#: whole blueprints that answer JSON only
SKIPPED_BLUEPRINTS: dict[str, str] = {
    "api": "the JSON API (/api/v1): machines read it, not people",
}
#: routes answering a part of a page that another page loads into itself: checked
#: with the rules about whole documents (a title, a language) turned off
FRAGMENTS: dict[str, str] = {
    "web.definition_panel": "a panel the definition editor loads into its page",
}
FRAGMENT_RULES_OFF = ("document-title", "html-has-lang")
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
#: a workspace chooser needs a login in two tenants: this demo viewer joins VoltFix
TWO_TENANTS = "vera@nordvarme.test"
NEWCOMER = "nora@nordvarme.test"  # invited without a password: a set-password link

RUN_AXE = """async (rulesOff) => {
  const rules = Object.fromEntries(rulesOff.map(id => [id, {enabled: false}]));
  const result = await axe.run(document, {resultTypes: ['violations'], rules});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                count: v.nodes.length}));
}"""
HARVEST = """() => Array.from(document.querySelectorAll('a[href], iframe[src]'),
                             e => e.href || e.src)"""


def _routes() -> tuple[Flask, dict[str, str]]:
    """The app as tests build it (nothing is served or stored), and each GET route's
    endpoint with one of its rules, for the messages."""
    import tempfile

    from workorders.platform import create_app

    instance = Path(tempfile.mkdtemp(prefix="axe-routes-"))
    app = create_app({"database_url": f"sqlite:///{instance}/routes.db",
                      "instance_dir": instance, "secret_key": "routes", "redis_url": None})
    rules: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()):
            rules.setdefault(rule.endpoint, rule.rule)
    return app, rules


def _skipped(endpoint: str) -> bool:
    return endpoint in SKIPPED or endpoint.split(".")[0] in SKIPPED_BLUEPRINTS


def _wait_for_task(api: DemoApi, task_id: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, task = api.call("GET", f"/api/v1/tasks/{task_id}")
        if task["status"] not in ("queued", "running"):
            return
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not finish in 60 s")


@dataclass
class Seeds:
    """Addresses no page links to, made through the API and the CLI."""

    signed_in: list[str] = field(default_factory=list)
    coordinator: list[str] = field(default_factory=list)  # steps only coordinators take
    public: list[str] = field(default_factory=list)


def _seeds(server: DemoServer) -> Seeds:
    seeds = Seeds()
    demo_cli(server, "users", "create", "voltfix", TWO_TENANTS, "--role", "viewer")
    admin = DemoApi(server.url, demo_token(server, server.logins["admin"][0], "axe"))
    _, listing = admin.call("GET", "/api/v1/definitions")
    published = next(v["version"] for v in listing["items"] if v["status"] == "published")
    status, draft = admin.call("POST", f"/api/v1/definitions/{published}/drafts", {})
    assert status == 201, draft
    number = draft["version"]
    status, simulation = admin.call("POST", f"/api/v1/definitions/{published}/simulate",
                                    {"background": True})
    assert status == 202, simulation
    status, migration = admin.call("POST", f"/api/v1/definitions/{published}/migrate",
                                   {"dry_run": False, "comment": "Accessibility check"})
    assert status == 202, migration
    # an invited person without a password gets a set-password link by email
    status, invited = admin.call("POST", "/api/v1/users", {
        "email": NEWCOMER, "roles": ["technician"], "name": "Nora Newcomer"})
    assert status == 201, invited
    _, booked = admin.call("GET", "/api/v1/cases?status=booked")
    assert booked["items"], "the demo has no booked case to cancel"
    for task in (simulation["task"], migration["task"]):
        _wait_for_task(admin, task["id"])
    seeds.signed_in += [
        f"/admin/definitions/{published}/simulations/{simulation['task']['id']}",
        f"/admin/definitions/{published}/migrations/{migration['task']['id']}",
        f"/admin/definitions/diff?a={published}&b={number}",
        f"/admin/definitions/{number}/edit",
        *(f"/admin/definitions/{number}/panels/{name}" for name in PANEL_NAMES)]
    # cancelling asks for a reason on a page of its own; only coordinators cancel
    seeds.coordinator.append(f"/cases/{booked['items'][0]['id']}/transitions/cancel/confirm")
    _case, approve, status_page = _service_case_asking_the_customer(server)
    set_password = urlsplit(_set_password_link(server.instance / "outbox", NEWCOMER)).path
    seeds.public += ["/login", approve, status_page, set_password]
    return seeds


@dataclass
class Crawl:
    """One person's walk through the pages at one size."""

    who: str
    size: str
    endpoint_of: Callable[[str], str | None]
    problems: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)

    def check(self, page: Any, base: str, start: Iterable[str], follow: bool = True) -> None:
        queue = list(start)
        seen_endpoints: set[str] = set()
        queued: set[str] = set(queue)
        while queue:
            path = queue.pop(0)
            endpoint = self.endpoint_of(path)
            response = page.goto(base + path)
            assert response is not None, path
            final = urlsplit(page.url)
            here = final.path + (f"?{final.query}" if final.query else "")
            if response.status >= 400:
                key = f"error {response.status}"  # one error page per status is enough
            else:
                key = here
                if endpoint is not None:
                    self.reached.add(endpoint)
                    seen_endpoints.add(endpoint)
                kind = response.headers.get("content-type", "")
                if not kind.startswith("text/html"):
                    self.problems.append(f"{path} ({endpoint}) answers {kind}, not a page: "
                                         "list its route in SKIPPED with the reason")
                    continue
            if key in self.checked:
                continue
            self.checked.add(key)
            fragment = endpoint in FRAGMENTS
            found = page.evaluate(RUN_AXE, list(FRAGMENT_RULES_OFF) if fragment else [])
            for v in found:
                self.problems.append(
                    f"[{self.who}, {self.size}] {here}: {v['id']} ({v['impact']}, {v['count']} "
                    f"element(s)): {v['help']}; e.g. {', '.join(v['targets'])}")
            for link in page.evaluate(HARVEST) if follow else ():
                parts = urlsplit(link)
                if f"{parts.scheme}://{parts.netloc}" != base:
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                linked = self.endpoint_of(parts.path)
                if (linked is None or _skipped(linked) or linked in seen_endpoints
                        or target in queued):
                    continue
                if any(self.endpoint_of(urlsplit(q).path) == linked for q in queue):
                    continue
                queued.add(target)
                queue.append(target)


def _walk(browser: Any, server: DemoServer, crawl: Crawl, start: list[str], *,
          email: str | None = None, follow: bool = True) -> Crawl:
    """One context (one size, one person or nobody), axe in every page it opens.

    axe comes in as an init script: the app's Content-Security-Policy refuses inline
    scripts (so ``add_script_tag`` would need the policy switched off), and 650 kB
    sent once per context instead of once per page keeps the walk fast."""
    context = browser.new_context(**VIEWPORTS[crawl.size])
    context.add_init_script(script=AXE_JS)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the editor asks before leaving
    try:
        if email is not None:
            sign_in(page, server, email)
        crawl.check(page, server.url, start, follow=follow)
        if email is None:  # a login in two workspaces chooses one after signing in
            sign_in(page, server, TWO_TENANTS, server.logins["viewer"][1])
            page.wait_for_url("**/workspace")
            crawl.check(page, server.url, ["/workspace"])
    finally:
        context.close()
    return crawl


def test_axe_finds_nothing_serious_on_any_page(browser: Any, demo_server: DemoServer) -> None:
    app, rules = _routes()
    adapter = app.url_map.bind("127.0.0.1")

    def endpoint_of(path: str) -> str | None:
        try:
            endpoint, _ = adapter.match(path, method="GET")
        except (HTTPException, RequestRedirect):
            return None
        return str(endpoint)

    plain = sorted(rule for endpoint, rule in rules.items()
                   if "<" not in rule and not _skipped(endpoint))
    seeds = _seeds(demo_server)
    logins = demo_server.logins
    crawls: list[Crawl] = []
    for size in VIEWPORTS:
        for role in ("admin", "technician"):
            crawls.append(_walk(browser, demo_server, Crawl(role, size, endpoint_of),
                                [*plain, *seeds.signed_in], email=logins[role][0]))
        crawls.append(_walk(browser, demo_server, Crawl("coordinator", size, endpoint_of),
                            seeds.coordinator, email=logins["coordinator"][0], follow=False))
        crawls.append(_walk(browser, demo_server, Crawl("signed out", size, endpoint_of),
                            seeds.public))

    reached = set().union(*(c.reached for c in crawls))
    missed = sorted(f"{rules[e]} ({e})" for e in rules if not _skipped(e) and e not in reached)
    problems = [p for c in crawls for p in c.problems]
    if missed:
        problems.append("no crawl reached these pages: add a seed in _seeds() or list the "
                        "route in SKIPPED with the reason:\n  " + "\n  ".join(missed))
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    # every page was checked at both sizes, by someone
    assert {c.size for c in crawls if c.checked} == set(VIEWPORTS)


def _luminance(rgb: str) -> float:
    """WCAG relative luminance of a computed ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_dark_top_bar_shows_where_the_keyboard_is(browser: Any,
                                                      demo_server: DemoServer) -> None:
    """axe does not look at focus: Tab past "Skip to content" onto the bar's first
    link; its ring is drawn, at least 2 px, and stands out from the bar (3:1, WCAG
    1.4.11 for parts of controls)."""
    context = browser.new_context(**VIEWPORTS["desktop"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, demo_server, demo_server.logins["coordinator"][0])
        page.goto(demo_server.url + "/board")
        page.keyboard.press("Tab")  # Skip to content
        page.keyboard.press("Tab")  # the brand, on the dark bar
        ring = page.evaluate("""() => { const e = document.activeElement;
            const s = getComputedStyle(e);
            return {inBar: !!e.closest('.topbar'), style: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), color: s.outlineColor,
                    bar: getComputedStyle(e.closest('.topbar') || document.body)
                         .backgroundColor}; }""")
    finally:
        context.close()
    assert ring["inBar"] and ring["style"] == "solid" and ring["width"] >= 2, ring
    light, dark = sorted((_luminance(ring["color"]), _luminance(ring["bar"])), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 3, ring
