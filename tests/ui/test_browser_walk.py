"""One walk through the real app in Debian's chromium, for what only a browser shows: the address
bar (bound widgets write it), a deep link as the first request of a fresh process, and links
between pages keeping the dataset and language."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright import sync_api as playwright

from pipeline_core.model import Workspace

#: Debian's chromium (the README's test command installs it); Playwright cannot download here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = [pytest.mark.browser]


def wait_for(condition: Callable[[], Any], seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("the page did not reach the expected state")


def test_a_walk_through_the_queue(app_server: str, demo: dict[str, Workspace]) -> None:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        href = lambda: page.evaluate("window.location.href")  # noqa: E731

        # A deep link as the first request: the sidebar (entry script) is there.
        page.goto(f"{app_server}/task_queue")
        page.get_by_text("Masuk sebagai (demo)").wait_for(timeout=30_000)
        page.get_by_text("Diblokir", exact=True).first.wait_for()

        page.get_by_text("Admin Dokumen", exact=True).click()
        wait_for(lambda: "role=Admin+Dokumen" in href())
        page.get_by_text("English", exact=True).click()
        wait_for(lambda: "role=Document+admin" in href() and "lang=English" in href())

        page.reload()
        page.get_by_text("Task queue", exact=True).first.wait_for(timeout=30_000)
        selected = page.locator("[data-testid=stButtonGroup] button[aria-checked=true]")
        wait_for(lambda: "Document admin" in selected.all_inner_texts())

        page.get_by_text("Open jamaah").first.click()
        wait_for(lambda: "/jamaah?" in href() and "jamaah=" in href())
        assert "lang=English" in href()
        page.get_by_text("Profile", exact=True).wait_for()
        browser.close()
