"""A member borrows a neighbour's drill for an afternoon."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.browser.helpers import DEMO_MEMBER, MADRID, main_text, screenshot


def test_a_member_borrows_a_drill_for_an_afternoon(open_page: Any, viewport: str) -> None:
    # Each viewport borrows on its own afternoon, so the two runs never compete for the drill.
    days_ahead = {"mobile": 3, "desktop": 4}[viewport]
    afternoon = (datetime.now(MADRID) + timedelta(days=days_ahead)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    page = open_page(viewport, login=DEMO_MEMBER)
    page.goto("/lending/")
    page.get_by_label("Search").fill("drill")
    page.locator("main form[method=get]").get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Cordless drill with bits").click()
    page.get_by_role("heading", name="Cordless drill with bits").wait_for()

    page.get_by_label("From").fill(afternoon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("For how many hours").fill("4")
    page.get_by_role("button", name="Reserve", exact=True).click()
    page.get_by_text("Reservation sent.").wait_for()

    # The reservation is among the member's loans, approved (the owner approves automatically),
    # with the exact pickup now shown.
    day = afternoon.strftime("%a %-d %b")
    period = f"{day} 15:00 \N{EN DASH} {day} 19:00"
    page.get_by_role("link", name="My loans").click()
    borrowing = page.get_by_role("region", name="What I borrow").get_by_role("listitem")
    borrowing.filter(has_text=period).get_by_role("link", name="Cordless drill with bits").click()
    page.locator("main").get_by_text(period).wait_for()
    assert "Approved" in main_text(page)
    assert "Pickup:" in main_text(page)
    screenshot(page, f"lending-{viewport}")
