"""A guest books a stay in a member's home and pays by card (localstripe)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from tests.browser.helpers import (
    DEMO_BOARD,
    MADRID,
    main_text,
    pay_with_test_card,
    reload_until,
    screenshot,
)


def test_a_guest_books_a_stay_and_pays(open_page: Any, viewport: str) -> None:
    # Different nights for each viewport: the two runs must not ask for the same home's nights.
    check_in = datetime.now(MADRID).date() + timedelta(days={"mobile": 10, "desktop": 20}[viewport])
    check_out = check_in + timedelta(days=2)
    page = open_page(viewport, login=DEMO_BOARD)
    page.goto("/stays/search/")
    # By field names: the guest reads the site in Catalan.
    search = page.locator("main form[method=get]")
    search.locator("[name=check_in]").fill(check_in.isoformat())
    search.locator("[name=check_out]").fill(check_out.isoformat())
    search.locator("[name=guests]").fill("2")
    search.locator("button[type=submit]").click()
    page.get_by_role("link", name="Bright flat with a balcony over the square").first.click()

    booking = page.locator("main form[method=post]").filter(has=page.locator("[name=check_in]"))
    booking.locator("[name=check_in]").fill(check_in.isoformat())
    booking.locator("[name=check_out]").fill(check_out.isoformat())
    booking.locator("[name=guests]").fill("2")
    booking.locator("[name=community_project]").select_option(label="Neighbourhood food gardens")
    booking.locator("button[type=submit]").click()
    # The price is shown line by line, and the card is charged the total.
    total = re.search(r"Total\s*([\d.,]+ EUR)", main_text(page))
    assert total, main_text(page)
    assert total.group(1) in str(page.locator("#pay-button").text_content())
    assert main_text(page).startswith("Waiting for payment")

    pay_with_test_card(page)
    # localstripe's webhook confirms the booking; confirmed guests are given the address.
    reload_until(page, re.compile(r"^\s*Confirmed\s*$"))
    assert main_text(page).startswith("Confirmed")
    assert "Carrer de la Demo 10, Barcelona" in main_text(page)
    assert "Neighbourhood food gardens" in main_text(page)
    screenshot(page, f"stays-{viewport}")
