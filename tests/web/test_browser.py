"""The web app as a person uses it: a real ``levelhead serve`` and Debian's chromium, driven by Playwright.

Skipped only where /usr/bin/chromium is missing (CI installs it). Screenshots of every page at desktop and
phone width go to $LEVELHEAD_SCREENSHOTS (default tests/web/screenshots-out).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, axe_source, serving

if os.environ.get("LEVELHEAD_REQUIRE_BROWSER") and not CHROMIUM.exists():
    raise RuntimeError("LEVELHEAD_REQUIRE_BROWSER is set but /usr/bin/chromium is missing (apt install chromium)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")
FIXTURES = Path(__file__).resolve().parent.parent / "history" / "fixtures"
PAGES = ["/", "/ready", "/incoming", "/agreements", "/drafts", "/history", "/help", "/settings"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a fresh home that already has a plain store."""
    home = tmp_path_factory.mktemp("serve")
    from levelhead.storage import Store

    with Store.open(f"sqlite:///{home / 'data' / 'levelhead.db'}") as store:
        store.init()
    with serving(home) as url:
        yield url


class Person:
    """One browser tab, signed in through the launch link, that records console errors (CSP included)."""

    def __init__(self, browser: Any, url: str, viewport: dict[str, int] = DESKTOP) -> None:
        self.base = url.split("/?token=")[0]
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        # Refused requests (a 400 the page explains) log "Failed to load resource"; anything else, CSP
        # violations above all, is a failure.
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" and not m.text.startswith("Failed to load resource") else None)  # fmt: skip
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        assert "token=" not in self.page.url

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


@pytest.fixture
def person(browser: Any, server: str) -> Iterator[Person]:
    p = Person(browser, server)
    yield p
    p.close()


def start_writing(page: Any, goal: str = "logistics", mood: str = "calm") -> None:
    page.select_option("#goal", goal)
    page.select_option("#mood", mood)
    page.click("#start")
    page.wait_for_selector("#draft", state="visible")


def test_typing_shows_highlights_and_the_verdict(person: Person) -> None:
    page = person.go("/")
    expect = sync_api.expect
    start_writing(page)
    page.locator("#draft").press_sequentially("Can I get the books on Saturday at 10?", delay=5)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "send")
    expect(page.locator("#highlights mark")).to_have_count(0)
    page.locator("#draft").press_sequentially(" You always forget everything!!", delay=5)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "revise")
    expect(page.locator('#highlights mark[data-code="TN07"]')).to_have_text("!!")
    expect(page.locator('#findings li[data-code="TN01"]')).to_contain_text("You always")
    assert page.locator("#highlights mark").count() >= 2


def test_apply_a_suggestion_and_undo_it(person: Person) -> None:
    page = person.go("/")
    expect = sync_api.expect
    start_writing(page)
    page.fill("#draft", "Please bring the jackets!!")
    page.dispatch_event("#draft", "input")
    finding = page.locator('#findings li[data-code="TN07"]')
    expect(finding).to_be_visible()
    finding.get_by_role("button", name="Use this").click()
    expect(page.locator("#draft")).to_have_value("Please bring the jackets!")
    expect(page.locator('#findings li[data-code="TN07"]')).to_have_count(0)
    page.click("#undo")
    expect(page.locator("#draft")).to_have_value("Please bring the jackets!!")
    expect(page.locator('#findings li[data-code="TN07"]')).to_have_count(1)


def test_park_a_draft_and_find_it_in_drafts(person: Person) -> None:
    page = person.go("/")
    expect = sync_api.expect
    start_writing(page)
    page.fill("#draft", "Could we talk about the summer holidays next week?")
    page.dispatch_event("#draft", "input")
    page.select_option("#cool-off", "24")
    page.click("#park")
    expect(page.locator("#action-status")).to_contain_text("Parked")
    page = person.go("/drafts")
    item = page.locator("#draft-list li", has_text="summer holidays")
    expect(item).to_contain_text("Cooling off until")
    item.get_by_role("button", name="Check it again").click()
    expect(item.locator(".verdict")).to_have_attribute("data-verdict", re.compile(r"send|revise|wait"))


def test_a_draft_outside_the_agreed_window_is_flagged(person: Person) -> None:
    page = person.go("/agreements")
    expect = sync_api.expect
    now = datetime.now().astimezone()
    opens, closes = now + timedelta(hours=3), now + timedelta(hours=4)
    page.select_option("#a-kind", "window")
    page.fill("#a-from", f"{opens:%H:%M}")
    page.fill("#a-to", f"{closes:%H:%M}")
    page.fill("#a-purpose", "evening call")
    page.click("#add-agreement")
    expect(page.locator("#agreement-status")).to_contain_text("Added")
    expect(page.locator("#agreement-list")).to_contain_text("evening call")
    expect(page.locator("#next-window")).to_contain_text("Next contact window: evening call")
    page = person.go("/")
    start_writing(page)
    page.fill("#draft", "Can I call the kids tonight?")
    page.dispatch_event("#draft", "input")
    expect(page.locator('#findings li[data-code="BD02"]')).to_be_visible()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", re.compile(r"wait|dont-send"))
    page = person.go("/agreements")
    page.locator("#agreement-list li", has_text="evening call").get_by_role("button", name="End this agreement").click()
    expect(page.locator("#agreement-status")).to_contain_text("Ended")


def test_upload_a_chat_export_and_see_the_charts(person: Person) -> None:
    page = person.go("/history")
    expect = sync_api.expect
    page.set_input_files("#i-file", str(FIXTURES / "whatsapp_android_us.txt"))
    page.click("#import")
    status = page.locator("#import-status")
    expect(status).to_contain_text("Which of these is you?")
    status.get_by_role("button", name="Alex").click()
    expect(status).to_contain_text("Imported")
    expect(page.locator("#chart svg rect").first).to_be_attached()
    heights = page.eval_on_selector_all("#chart svg rect", "rects => rects.map(r => Number(r.getAttribute('height')))")
    assert max(heights) > 0
    expect(page.locator("#stats")).to_contain_text("Messages")
    expect(page.locator("#record-status")).to_contain_text("The record verifies")


def test_should_i_reach_out(person: Person) -> None:
    page = person.go("/ready")
    expect = sync_api.expect
    page.select_option("#r-goal", "reconciliation")
    page.select_option("#r-mood", "lonely")
    page.fill("#r-broke_up", (datetime.now() - timedelta(days=5)).strftime("%Y-%m-%d"))
    page.check("input[name=ended_by][value=them]")
    page.click("#ready-form button[type=submit]")
    expect(page.locator("#ready-verdict")).to_have_attribute("data-verdict", re.compile(r"wait|dont-send"))
    expect(page.locator("#ready-reasons li").first).to_be_visible()


def test_settings_country_changes_the_help(person: Person) -> None:
    page = person.go("/settings")
    expect = sync_api.expect
    expect(page.locator("#s-country option[value=GB]")).to_be_attached()
    page.select_option("#s-country", "GB")
    page.click("#place-form button[type=submit]")
    expect(page.locator("#place-status")).to_have_text("Saved.")
    page = person.go("/help")
    expect(page.locator(".resources")).to_contain_text("Samaritans")
    page = person.go("/settings")
    page.select_option("#s-country", "US")
    page.click("#place-form button[type=submit]")
    expect(page.locator("#place-status")).to_have_text("Saved.")


LONG = (
    "Can you bring the kids back at 6 on Sunday and also their coats and the school bags and the blue lunch box please"
)


def test_a_threshold_changed_in_settings_changes_the_check(browser: Any, tmp_path: Path) -> None:
    """Its own server (the thresholds would change the others' checks), with a store: two workers."""
    import json
    import subprocess
    import sys

    from levelhead.storage import Store
    from tests.web.browser import serve_env

    expect = sync_api.expect
    with Store.open(f"sqlite:///{tmp_path / 'data' / 'levelhead.db'}") as store:
        store.init()
    with serving(tmp_path) as url:
        p = Person(browser, url)
        page = p.go("/")
        start_writing(page)
        page.fill("#draft", LONG)
        page.dispatch_event("#draft", "input")
        expect(page.locator("#verdict")).to_have_attribute("data-verdict", "send")
        expect(page.locator('#findings li[data-code="PC01"]')).to_have_count(0)

        page = p.go("/settings")
        words = page.get_by_label("text_words")
        expect(words).to_have_value("60")
        words.fill("10")
        page.click("#save-thresholds")
        expect(page.locator("#thresholds-status")).to_contain_text("must be at least 15")
        expect(page.locator("#thresholds-status")).to_contain_text("Nothing was saved")
        words.fill("")
        page.click("#save-thresholds")
        expect(page.locator("#thresholds-status")).to_contain_text("text_words: enter a whole number")
        words.fill("15")
        page.click("#save-thresholds")
        expect(page.locator("#thresholds-status")).to_contain_text("Saved.")
        expect(page.locator("#opt-PC01-text_words")).to_have_value("15")

        page = p.go("/")
        start_writing(page)
        page.fill("#draft", LONG)
        page.dispatch_event("#draft", "input")
        expect(page.locator('#findings li[data-code="PC01"]')).to_be_visible()
        expect(page.locator("#verdict")).to_have_attribute("data-verdict", "revise")
        p.close()
    cli = subprocess.run([sys.executable, "-m", "levelhead", "check", LONG, "--goal", "logistics", "--format", "json"],
                         cwd=tmp_path, env=serve_env(tmp_path), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "PC01" in {d["code"] for d in json.loads(cli.stdout)["diagnostics"]}, cli.stderr


def test_quick_exit_leaves_and_replaces_the_page(person: Person) -> None:
    page = person.go("/")
    page = person.go("/help")
    page.click("#quick-exit")
    page.wait_for_url("**/neutral")
    assert page.title() == "Notes"
    page.go_back()
    assert not page.url.endswith("/help")  # the help page was replaced, not stacked
    page = person.go("/agreements")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url("**/neutral")


def test_their_message_shows_safety_first(person: Person) -> None:
    page = person.go("/incoming")
    expect = sync_api.expect
    page.fill("#incoming-text", "I know where you live. You ALWAYS do this. I need the kids back by 5 on Sunday.")
    page.click("#incoming-form button[type=submit]")
    expect(page.locator("#incoming-safety")).to_be_visible()
    expect(page.locator("#incoming-safety li").first).to_be_visible()
    expect(page.locator("#incoming-flags li").first).to_contain_text("know where you live")
    expect(page.locator("#incoming-triage .asks li").first).to_be_visible()
    safety_box = page.locator("#incoming-safety").bounding_box()
    asks_box = page.locator("#incoming-triage").bounding_box()
    assert safety_box and asks_box and safety_box["y"] < asks_box["y"]  # safety first


def test_without_a_store_the_app_offers_to_create_one(browser: Any, tmp_path: Path) -> None:
    expect = sync_api.expect
    with serving(tmp_path) as url:
        p = Person(browser, url)
        page = p.go("/")
        start_writing(page)
        page.fill("#draft", "Can I get the books on Saturday at 10?")
        page.dispatch_event("#draft", "input")
        expect(page.locator("#verdict")).to_have_attribute("data-verdict", "send")
        page = p.go("/settings")
        expect(page.locator("#create-store")).to_be_visible()
        page.click("#create-store-button")
        expect(page.locator("#store-message")).to_contain_text("ready")
        assert (tmp_path / "data" / "levelhead.db").exists()
        p.close()


def test_screenshots_and_page_weight(browser: Any, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        p = Person(browser, server, viewport)
        sizes: dict[str, int] = {}

        def count(response: Any, sizes: dict[str, int] = sizes) -> None:
            if response.ok:
                sizes[response.url] = len(response.body())

        p.page.on("response", count)
        for path in PAGES:
            page = p.go(path)
            page.wait_for_load_state("networkidle")
            slug = path.strip("/") or "compose"
            page.screenshot(path=str(SCREENSHOTS / f"{slug}-{name}.png"), full_page=True)
            if path == "/":
                weight = sum(sizes.values())
                assert weight < 300_000, sizes
            if name == "phone":  # nothing wider than the screen
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, path
        page = p.go("/")
        start_writing(page, "logistics", "angry")
        page.fill("#draft", "You ALWAYS forget the jackets!! Can I get the kids at 5 on Saturday?")
        page.dispatch_event("#draft", "input")
        sync_api.expect(page.locator("#verdict")).to_have_attribute("data-verdict", re.compile(r"revise|wait"))
        page.screenshot(path=str(SCREENSHOTS / f"compose-draft-{name}.png"), full_page=True)
        page = p.go("/incoming")
        their = "You never think about anyone but yourself. I need them back by 5 on Sunday, not 7."
        page.fill("#incoming-text", their)
        page.click("#incoming-form button[type=submit]")
        sync_api.expect(page.locator("#incoming-triage h2").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"incoming-triage-{name}.png"), full_page=True)
        p.close()


def test_no_serious_accessibility_violations(browser: Any, server: str) -> None:
    source = axe_source()
    problems = []
    for viewport in (DESKTOP, PHONE):
        p = Person(browser, server, viewport)
        for path in PAGES:
            page = p.go(path)
            page.wait_for_load_state("networkidle")
            page.evaluate(source + "\n;0")  # through DevTools, so the page's CSP still forbids inline script
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            for v in result["violations"]:
                if v["impact"] in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"]][:3]
                    problems.append(f"{path} {viewport['width']}px: {v['id']} ({v['impact']}) {targets}")
        p.close()
    assert not problems, "\n".join(problems)
