"""A driver posts a commute on a phone; a passenger books a seat and watches the trip go live."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from tests.browser.helpers import (
    DEMO_BOARD,
    DEMO_MEMBER,
    MADRID,
    main_text,
    pay_with_test_card,
    reload_until,
    screenshot,
)


def test_a_driver_posts_a_commute_and_a_passenger_sees_the_trip_start_live(
    open_page: Any,
) -> None:
    tomorrow = datetime.now(MADRID).date() + timedelta(days=1)
    # The driver (Montserrat, who reads the site in Catalan: fields by name) is on a phone.
    driver = open_page("mobile", login=DEMO_BOARD)
    driver.goto("/rides/commute/")
    commute = driver.locator("main form[method=post]").filter(has=driver.locator("[name=seats]"))
    commute.locator("select[name=origin]").select_option(label="Gràcia")
    commute.locator("select[name=destination]").select_option(label="Poblenou")
    for day in range(1, 8):
        commute.locator(f"input[name=weekdays][value='{day}']").check()
    commute.locator("[name=departure_time]").fill("08:15")
    commute.locator("[name=until]").fill((tomorrow + timedelta(days=13)).isoformat())
    commute.locator("[name=seats]").fill("3")
    commute.locator("[name=instant_booking]").check()
    commute.locator("button[type=submit]").click()
    driver.wait_for_url(re.compile(r"/rides/mine/$"))
    assert re.search(r"\d+ rides published", main_text(driver)), main_text(driver)

    # The passenger (Marta, on a desktop) finds tomorrow's ride and books a seat.
    passenger = open_page("desktop", login=DEMO_MEMBER)
    passenger.goto("/rides/search/")
    search = passenger.locator("main form[method=get]")
    search.locator("select[name=origin]").select_option(label="Gràcia")
    search.locator("select[name=destination]").select_option(label="Poblenou")
    search.get_by_label("Day").fill(tomorrow.isoformat())
    search.get_by_label("Leaving after").fill("08:00")
    search.get_by_label("Leaving before").fill("08:30")
    search.get_by_role("button", name="Search").click()
    result = passenger.locator("main li, main article").filter(has_text="Montserrat Puig").first
    result.get_by_role("button", name="Book").click()
    passenger.get_by_text("Your seat is booked.").wait_for()
    offer_url = passenger.url.split("?")[0]
    pay_with_test_card(passenger)
    reload_until(passenger, "Your booking code")
    passenger.get_by_text(re.compile("Your booking: Accepted")).wait_for()
    passenger.evaluate("window.__samePage = true")

    # The driver sees the passenger and starts the trip; the passenger's page follows live.
    driver.goto(offer_url)
    assert "Marta Soler" in main_text(driver)
    driver.locator("form[action$='/status/'] button[value=boarding]").click()
    driver.locator("[data-ride-status]").filter(has_text=re.compile(".")).wait_for()
    status = passenger.locator("[data-ride-status]")
    status.filter(has_text="Boarding").wait_for(timeout=10_000)
    assert passenger.evaluate("window.__samePage === true"), "the passenger's page reloaded"
    assert passenger.locator("[data-step=boarding][aria-current=step]").count() == 1
    screenshot(driver, "rides-mobile")
    screenshot(passenger, "rides-desktop")
