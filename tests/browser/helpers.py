"""Constants and small steps the browser journeys share (fixtures are in conftest.py)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's services, which a closed
# network answers slowly or not at all.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
# The co-op's time zone (TIME_ZONE): dates typed into forms are local times there.
MADRID = ZoneInfo("Europe/Madrid")

VIEWPORTS: dict[str, dict[str, Any]] = {
    "mobile": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

DEMO_MEMBER = ("demo@coop.example", "demo-member-2026")  # Marta Soler
DEMO_BOARD = ("board@coop.example", "demo-board-2026")  # Montserrat Puig


@dataclass
class Server:
    url: str
    log: Path

    def email_link(self, *, to: str, path_prefix: str, timeout: float = 30) -> str:
        """The first link under `path_prefix` in an email to `to` printed in the server's log.

        The task worker sends emails about a second after the request that queued them.
        """
        pattern = re.compile(r"https?://[^\s\"'<>]+" + re.escape(path_prefix) + r"[^\s\"'<>]*")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            for message in text.split("\nTo: ")[1:]:
                if message.split("\n", 1)[0].strip() == to and (found := pattern.search(message)):
                    return found.group(0)
            time.sleep(0.5)
        raise AssertionError(f"no email to {to} with a {path_prefix} link in {self.log}")


def log_in(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form").get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page: Any, name: str) -> None:
    """The final page of a journey, kept by CI as an artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def pay_with_test_card(page: Any, card_number: str = "4242424242424242") -> None:
    """Type a test card into money/_card_form.html and pay.

    With localstripe the card box holds its stand-in script's plain inputs (named by their
    placeholders), and money/pay.js confirms the payment through the development endpoint.
    """
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(card_number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("08001")
    page.locator("#pay-button").click()
    page.wait_for_url(lambda url: "paid=1" in url)


def reload_until(page: Any, text: str | re.Pattern[str], *, timeout: float = 90) -> None:
    """Reload until the page shows `text`: what a webhook or the worker brings a moment later."""
    deadline = time.monotonic() + timeout
    locator = page.get_by_text(text).first
    while not locator.is_visible():
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} did not show {text!r} within {timeout} s")
        time.sleep(0.5)
        page.reload()


def main_text(page: Any) -> str:
    """The text of the page's main element as written (inner_text would apply CSS capitals)."""
    return " ".join(str(page.locator("main").text_content()).split())
