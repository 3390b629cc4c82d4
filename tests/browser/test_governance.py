"""The board opens a board election (single transferable vote), members vote, the result appears."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any

from tests.browser.helpers import DEMO_BOARD, DEMO_MEMBER, MADRID, main_text, screenshot

CANDIDATES = ("Núria Vidal", "Pau Serra", "Aina Costa")
VOTING_SECONDS = 30


def _vote(page: Any, ballot_url: str, ranking: dict[str, str]) -> None:
    page.goto(ballot_url)
    form = page.locator("main form").filter(has=page.locator("fieldset"))
    for candidate, rank in ranking.items():
        form.get_by_label(candidate).select_option(rank)
    form.locator("button[type=submit]").click()
    # The receipt is shown once, after the vote is stored.
    receipt = page.locator(".gov-receipt strong")
    receipt.wait_for()
    assert len(str(receipt.text_content()).strip()) >= 8


def test_the_board_opens_an_stv_election_members_vote_and_results_appear(
    open_page: Any,
) -> None:
    board = open_page("desktop", login=DEMO_BOARD)
    member = open_page("mobile", login=DEMO_MEMBER)
    title = f"Board election, two seats ({datetime.now(MADRID):%H:%M:%S})"
    # The board reads the site in Catalan, so its form is filled by field names.
    board.goto("/governance/board/")
    form = board.locator("main form[method=post]").filter(has=board.locator("[name=title]"))
    form.locator("[name=title]").fill(title)
    form.locator("[name=kind]").select_option("ranked")
    form.locator("[name=options]").fill("\n".join(CANDIDATES))
    form.locator("[name=seats]").fill("2")
    # Opening now is the default. Closing is set to the soonest whole minute (the field's step)
    # that leaves time to vote, so the journey waits for the count about a minute.
    assert form.locator("[name=opens_at]").input_value() != ""
    closes_at = (datetime.now(MADRID) + timedelta(seconds=VOTING_SECONDS + 59)).replace(
        second=0, microsecond=0
    )
    form.locator("[name=closes_at]").fill(closes_at.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=quorum_percent]").fill("0")
    form.locator("button[type=submit]").click()
    board.get_by_role("link", name=title).click()
    ballot_url = board.url
    assert re.search(r"/governance/ballots/\d+/$", ballot_url), ballot_url

    _vote(member, ballot_url, {"Núria Vidal": "1", "Aina Costa": "2"})
    _vote(board, ballot_url, {"Aina Costa": "1", "Núria Vidal": "2", "Pau Serra": "3"})

    # Counted when it closes: the result page counts a ballot whose time is up.
    time.sleep(max(0.0, (closes_at - datetime.now(MADRID)).total_seconds() + 1))
    for page, viewport in ((member, "mobile"), (board, "desktop")):
        page.goto(ballot_url + "result/")
        # Two votes for two seats: the quota is one vote, and each first choice is elected.
        outcome = str(page.locator(".gov-outcome").text_content())
        assert "Núria Vidal" in outcome
        assert "Aina Costa" in outcome
        assert "Pau Serra" not in outcome
        assert page.locator(".gov-bars .badge--success").count() == 2
        screenshot(page, f"governance-{viewport}")
    text = main_text(member)
    assert re.search(r"Turnout\s*2 / \d+", text), text
    assert re.search(r"Method\s*stv", text), text
    assert "Every counting round" in text
