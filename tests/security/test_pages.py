"""Every HTML page: security headers, a CSP-friendly body, CSRF on its forms, who may see it.

The pages are found by walking the URL configuration: every pattern without arguments, plus
the detail pages in `DETAIL_PAGES` filled from the security world. A pattern with arguments
that is neither there nor in `ACTIONS` (POST-only endpoints and downloads) fails
`test_every_page_with_arguments_is_classified`, so a new page cannot slip past these checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from frontend.testing import assert_csp_friendly
from tests.security.conftest import World

# Not pages of the product: the JSON API (its docs page is checked below), the headless auth
# endpoints (JSON), Django's admin, the health check and uploaded files.
SKIPPED_PREFIXES = ("api/", "^api/", "_allauth/", "admin/", "healthz", "media/")
EXTRA_PAGES = ["/api/v1/docs"]

# Detail pages: url name -> (arguments, who may see it). "member": any member; "owner": alice
# or bob as her counterpart (charlie gets 403 or 404); "board": the board only.
Args = Callable[[World], dict[str, Any]]
DETAIL_PAGES: dict[str, tuple[Args, str]] = {
    "members:detail": (lambda w: {"pk": w.alice.pk}, "member"),
    "lending:item": (lambda w: {"pk": w.item.pk}, "member"),
    "lending:item_edit": (lambda w: {"pk": w.item.pk}, "owner"),
    "lending:loan": (lambda w: {"pk": w.reservation.pk}, "owner"),
    "stays:listing": (lambda w: {"pk": w.listing.pk}, "member"),
    "stays:booking": (lambda w: {"pk": w.stay.pk}, "owner"),
    "stays:board_zone_edit": (lambda w: {"pk": w.listing.home.zone_id}, "board"),
    "rides:offer": (lambda w: {"pk": w.offer.pk}, "member"),
    "rides:booking": (lambda w: {"pk": w.ride.pk}, "owner"),
    "timebank:post": (lambda w: {"pk": w.post.pk}, "member"),
    "timebank:profile": (lambda w: {"pk": w.alice.pk}, "member"),
    "governance:proposal_detail": (lambda w: {"pk": w.proposal.pk}, "member"),
    "governance:ballot_detail": (lambda w: {"pk": w.ballot.pk}, "member"),
    "governance:ballot_result": (lambda w: {"pk": w.ballot.pk}, "member"),
    "community:detail": (lambda w: {"slug": w.approved_project.slug}, "public"),
}
# Patterns with arguments that are not pages: form targets (POST) and file downloads.
ACTIONS = {
    "account_confirm_email",
    "account_reset_password_from_key",
    "notifications:mark_read",
    "money:share_refund_approve",
    "surplus:choice",
    "surplus:approve",
    "surplus:pay",
    "lending:item_photos",
    "lending:item_maintenance",
    "lending:hold_join",
    "stays:booking_review",
    "stays:booking_action",
    "stays:board_refund_retry",
    "stays:host_listing_action",
    "stays:host_photo_add",
    "stays:host_photo_action",
    "rides:offer_book",
    "rides:offer_status",
    "rides:offer_message",
    "rides:booking_action",
    "timebank:post_close",
    "timebank:exchange_action",
    "timebank:history_export",
    "timebank:chore_action",
    "timebank:board_export",
    "governance:proposal_sponsor",
    "governance:proposal_comment",
    "governance:ballot_proxy",
    "governance:board_publish",
    "community:give",
    "community:spend",
    "community:decide",
}
# Pages without arguments that only the board may open.
BOARD_PAGES = {
    "money:board",
    "surplus:board",
    "stays:board_refunds",
    "stays:board_zones",
    "stays:board_zone_new",
    "timebank:board",
    "governance:board",
    "community:review",
}


def _patterns(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield prefix + str(entry.pattern), name, entry


def page_patterns() -> list[tuple[str, str, bool]]:
    """(route, url name, takes arguments) of every pattern of the product's pages."""
    found = []
    for route, name, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        takes_arguments = bool(pattern.pattern.converters or pattern.pattern.regex.groups)
        found.append((route, name, takes_arguments))
    return found


def plain_pages() -> list[str]:
    return [
        reverse(name) for route, name, takes_arguments in page_patterns() if not takes_arguments
    ] + EXTRA_PAGES


def test_every_page_with_arguments_is_classified() -> None:
    with_arguments = {name for _, name, takes_arguments in page_patterns() if takes_arguments}

    assert sorted(with_arguments - DETAIL_PAGES.keys() - ACTIONS) == []
    assert sorted((DETAIL_PAGES.keys() | ACTIONS) - with_arguments) == []


class _Forms(HTMLParser):
    """Collects each <form method="post">: its action and whether it carries a CSRF token."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._current = {"action": attributes.get("action") or "", "csrf": False}
            self.forms.append(self._current)
        elif (
            tag == "input"
            and self._current is not None
            and attributes.get("name") == "csrfmiddlewaretoken"
            and attributes.get("value")
        ):
            self._current["csrf"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def post_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def header_problems(url: str, response: Any) -> list[str]:
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        name, _, values = part.strip().partition(" ")
        directives[name] = values
    script_src = directives.get("script-src", directives.get("default-src", ""))
    if not script_src or "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"{url}: script-src is {script_src!r}")
    framing_denied = response.headers.get("X-Frame-Options") == "DENY"
    if not framing_denied and directives.get("frame-ancestors") != "'none'":
        problems.append(f"{url}: may be framed")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: no X-Content-Type-Options: nosniff")
    if not response.headers.get("Referrer-Policy"):
        problems.append(f"{url}: no Referrer-Policy")
    if not response.headers.get("Strict-Transport-Security", "").startswith("max-age="):
        problems.append(f"{url}: no HSTS over HTTPS")
    return problems


def body_problems(url: str, html: str) -> list[str]:
    problems = []
    try:
        assert_csp_friendly(html)
    except AssertionError as error:
        problems.append(f"{url}: {error}")
    problems += [
        f"{url}: a POST form to {form['action']!r} has no CSRF token"
        for form in post_forms(html)
        if not form["csrf"]
    ]
    return problems


def detail_urls(world: World) -> dict[str, str]:
    return {name: reverse(name, kwargs=args(world)) for name, (args, _) in DETAIL_PAGES.items()}


@pytest.fixture
def clients(world: World, charlie: Any, settings: Any) -> dict[str, Client]:
    # The board's second factor is tested in governance; here only the role matters.
    settings.BOARD_MFA_REQUIRED = False
    made = {"anonymous": Client()}
    for name, user in {
        "charlie": charlie,
        "alice": world.alice,
        "board": world.board,
    }.items():
        made[name] = Client()
        made[name].force_login(user)
    return made


def test_every_page_sends_the_security_headers_and_a_csp_friendly_body(
    world: World, clients: dict[str, Client]
) -> None:
    problems = []
    seen = 0
    for viewer, client in clients.items():
        for url in [*plain_pages(), *detail_urls(world).values()]:
            response = client.get(url, secure=True)
            problems += header_problems(f"{url} ({viewer})", response)
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                seen += 1
                problems += body_problems(f"{url} ({viewer})", response.content.decode())

    assert seen > 50, "the crawl found too few pages to mean anything"
    assert not problems, "\n".join(problems)


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    browser = Client()
    browser.force_login(world.alice)
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(world.alice)
    actions: set[str] = set()
    for url in [*plain_pages(), *detail_urls(world).values()]:
        response = browser.get(url, secure=True)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            actions |= {form["action"] or url for form in post_forms(response.content.decode())}

    accepted = []
    for action in sorted(actions):
        response = guarded.post(action, {"anything": "x"}, secure=True)
        if response.status_code != 403:
            accepted.append(f"{action}: {response.status_code}")

    assert len(actions) > 10
    assert accepted == []


def test_pages_of_others_and_of_the_board_are_refused(
    world: World, clients: dict[str, Client]
) -> None:
    login = reverse(django_settings.LOGIN_URL)
    problems = []
    pages = {name: (url, DETAIL_PAGES[name][1]) for name, url in detail_urls(world).items()}
    pages |= {name: (reverse(name), "board") for name in BOARD_PAGES}
    for name, (url, access) in sorted(pages.items()):
        anonymous = clients["anonymous"].get(url, secure=True)
        if access == "public":
            refused = anonymous.status_code == 200
        else:
            refused = anonymous.status_code == 302 and anonymous["Location"].startswith(login)
        if not refused:
            problems.append(f"{name} anonymous: {anonymous.status_code}")
        charlie = clients["charlie"].get(url, secure=True)
        # Some board pages pretend not to exist (404) rather than say they are the board's.
        expected = {"owner": {403, 404}, "board": {403, 404}}.get(access, {200})
        if charlie.status_code not in expected:
            problems.append(f"{name} charlie: {charlie.status_code}, expected {sorted(expected)}")
        rightful = clients["board" if access == "board" else "alice"].get(url, secure=True)
        if rightful.status_code not in {200, 302}:  # a booking page may lead on to its ride
            problems.append(f"{name} {access}: {rightful.status_code}")

    assert not problems, "\n".join(problems)
