"""Two members exchange an hour in the timebank: one offers, the other asks, hours move."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.browser.helpers import DEMO_BOARD, DEMO_MEMBER, main_text, screenshot


def _history_row(page: Any, title: str) -> str:
    page.goto("/timebank/history/")
    return str(page.locator("main tr").filter(has_text=title).first.text_content())


def test_two_members_exchange_an_hour(open_page: Any, viewport: str) -> None:
    title = f"Catalan conversation over coffee ({viewport} {time.time_ns()})"
    marta = open_page(viewport, login=DEMO_MEMBER)
    montserrat = open_page(viewport, login=DEMO_BOARD)

    marta.goto("/timebank/posts/new/")
    marta.get_by_label("Kind").select_option("offer")
    marta.get_by_label("Title").fill(title)
    marta.get_by_label("Description").fill("An hour of Catalan over a coffee near the market.")
    marta.get_by_label("Category").select_option("lessons")
    marta.get_by_role("button", name="Publish").click()
    marta.get_by_role("heading", name=title).wait_for()
    post_url = marta.url

    # Montserrat asks for an hour of it (she reads the site in Catalan: fields by name).
    montserrat.goto(post_url)
    ask = montserrat.locator("main form").filter(has=montserrat.locator("[name=minutes]"))
    ask.locator("[name=minutes]").fill("60")
    ask.locator("button[type=submit]").click()
    montserrat.wait_for_url(re.compile(r"/timebank/exchanges/$"))

    # Marta accepts, gives the hour and marks it done; Montserrat confirms and pays.
    marta.goto("/timebank/exchanges/")
    exchange = marta.locator("main li").filter(has_text=title)
    exchange.get_by_role("button", name="Accept").click()
    marta.get_by_text("Accepted.").first.wait_for()
    exchange.get_by_role("button", name="Mark done").click()
    marta.get_by_text("Marked done.").first.wait_for()
    montserrat.goto("/timebank/exchanges/")
    theirs = montserrat.locator("main li").filter(has_text=title)
    theirs.locator("form[action$='/confirm/'] button").click()
    theirs.locator(".badge").filter(has_text=re.compile("confirm", re.I)).wait_for()

    # The hour moved: +60 minutes for Marta, -60 for Montserrat, recorded under the post.
    assert "+60" in _history_row(marta, title)
    assert "-60" in _history_row(montserrat, title)
    marta.goto("/timebank/exchanges/")
    assert "Marta Soler helps Montserrat Puig for 60 minutes" in main_text(marta)
    screenshot(marta, f"timebank-{viewport}")
