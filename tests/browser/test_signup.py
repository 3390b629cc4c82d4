"""A newcomer signs up, confirms their email with the link the co-op sends, and pays the share."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.browser.helpers import Server, main_text, pay_with_test_card, reload_until, screenshot


def test_a_newcomer_signs_up_verifies_the_email_and_becomes_a_member(
    open_page: Any, server: Server, viewport: str
) -> None:
    email = f"newcomer-{viewport}-{time.time_ns()}@example.org"
    page = open_page(viewport)
    page.goto("/")
    page.get_by_role("link", name=re.compile("join|sign up", re.I)).first.click()
    page.fill("input[name=email]", email)
    page.fill("input[name=display_name]", "Núria")
    page.fill("input[name=password1]", "a long walk to the market")
    page.fill("input[name=password2]", "a long walk to the market")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_text(re.compile("verify your email", re.I)).first.wait_for()

    page.goto(server.email_link(to=email, path_prefix="/accounts/confirm-email/"))
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    page.get_by_text(f"You have confirmed {email}.").wait_for()
    assert "Applicant" in main_text(page)

    page.get_by_role("link", name="Pay your member share").click()
    page.get_by_role("button", name="Continue to payment").click()
    pay_with_test_card(page)
    # Membership follows Stripe's webhook, which localstripe posts a moment later.
    page.goto("/")
    reload_until(page, re.compile(r"You are member no\. \d+"))
    assert "Applicant" not in main_text(page)
    screenshot(page, f"signup-{viewport}")
