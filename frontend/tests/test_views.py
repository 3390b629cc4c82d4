from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from coop.members.models import MembershipStatus, User
from coop.members.tests.factories import MemberFactory, UserFactory
from coop.notifications.services import notification_send
from frontend.testing import assert_accessible_page, assert_csp_friendly

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_visitors_get_a_landing_page_that_explains_the_coop(client: Client) -> None:
    html = _page(client, reverse("home"))

    assert_accessible_page(html)
    assert "Barcelona Sharing Co-op" in html
    for service in ("Library of things", "Fair short stays", "Shared rides", "Timebank"):
        assert service in html
    assert "Governance" in html
    for reason in ("Owned by the people who use it", "Prices at cost", "Surplus shared back"):
        assert reason in html
    assert "Open algorithms" in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_login")}"' in html


def test_the_landing_page_links_to_every_service_page(client: Client) -> None:
    html = _page(client, reverse("home"))

    for app in ("lending", "stays", "rides", "timebank", "governance"):
        assert f'href="{reverse(f"{app}:index")}"' in html


def test_every_page_is_served_under_a_strict_content_security_policy(client: Client) -> None:
    response = client.get(reverse("home"))

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "img-src 'self' data:" in policy


def test_the_layout_loads_only_our_own_assets(client: Client, alice: User) -> None:
    for html in (
        _page(client, reverse("home")),
        _page(_client_for(alice), reverse("home")),
    ):
        assert_csp_friendly(html)
        sources = re.findall(r'(?:src|href)="(https?:)?//', html)
        # The only absolute link a page may carry is an outbound <a> (OpenStreetMap on
        # profiles); never a script, stylesheet, font or icon from another origin.
        assert sources == []
        assert '<link rel="stylesheet" href="/static/frontend/css/coop.css">' in html


def test_the_static_assets_the_layout_needs_exist() -> None:
    for path in (
        "frontend/css/coop.css",
        "frontend/js/ui.js",
        "frontend/js/notifications.js",
        "frontend/favicon.svg",
    ):
        assert finders.find(path), path


def test_visitors_see_log_in_and_join_and_no_notification_script(client: Client) -> None:
    html = _page(client, reverse("home"))

    assert ">Log in</a>" in html
    assert ">Join</a>" in html
    assert "data-notifications" not in html
    assert "notifications.js" not in html


def test_a_member_gets_a_dashboard_with_their_membership(alice: User) -> None:
    html = _page(_client_for(alice), reverse("home"))

    assert_accessible_page(html)
    assert "Hello, Alice" in html
    assert "Member in good standing" in html
    assert f"member no. <strong>{alice.member_number}</strong>" in html
    for app in ("lending", "stays", "rides", "timebank", "governance"):
        assert f'href="{reverse(f"{app}:index")}"' in html
    assert "Join the co-op" not in html


def test_an_applicant_learns_that_the_share_payment_makes_them_a_member(
    applicant: User,
) -> None:
    html = _page(_client_for(applicant), reverse("home"))

    assert "Applicant" in html
    assert "You become a member once your member share is paid" in html
    assert "member number" in html
    assert "Member in good standing" not in html


def test_a_suspended_member_is_told_what_suspension_means() -> None:
    member = MemberFactory.create(display_name="Sam", membership_status=MembershipStatus.SUSPENDED)

    html = _page(_client_for(member), reverse("home"))

    assert "Suspended" in html
    assert f"Your membership (no. {member.member_number}) is suspended" in html
    assert "cannot book, offer or vote" in html


def test_someone_who_left_is_told_they_left() -> None:
    former = UserFactory.create(display_name="Lea", membership_status=MembershipStatus.LEFT)

    html = _page(_client_for(former), reverse("home"))

    assert "You have left the co-op" in html


def test_a_board_member_sees_the_board_badge(board: User) -> None:
    html = _page(_client_for(board), reverse("home"))

    assert "Board member" in html


def test_the_dashboard_shows_the_unread_notifications_count(alice: User, bob: User) -> None:
    for number in range(3):
        notification_send(recipient=alice, kind="test.hello", title=f"Hello {number}")
    notification_send(recipient=bob, kind="test.hello", title="Not for Alice")

    html = _page(_client_for(alice), reverse("home"))

    assert '<span class="stat__number" data-unread-count>3</span>' in html
    assert 'data-notifications-count aria-hidden="true">3</span>' in html
    assert "Notifications, 3 unread" in html


def test_the_dashboard_costs_the_same_few_queries_however_busy_the_member_is(
    alice: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = _client_for(alice)
    for number in range(25):
        notification_send(recipient=alice, kind="test.hello", title=f"Hello {number}")
    MemberFactory.create_batch(10)

    # The session, the user and the unread count.
    with django_assert_max_num_queries(3):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_the_header_badge_is_server_rendered_and_links_to_the_notifications(
    alice: User,
) -> None:
    request = RequestFactory().get("/")
    request.user = alice

    html = render_to_string("base.html", {"unread_notifications_count": 7}, request=request)

    assert f'href="{reverse("notifications:list")}"' in html
    assert 'data-notifications-count aria-hidden="true">7</span>' in html
    assert "Notifications, 7 unread" in html
    assert "frontend/js/notifications.js" in html
    assert 'aria-live="polite"' in html


def test_the_header_badge_is_hidden_when_nothing_is_unread(alice: User) -> None:
    html = _page(_client_for(alice), reverse("home"))

    assert 'data-notifications-count aria-hidden="true" hidden>0</span>' in html
    assert "Notifications, none unread" in html


def test_the_account_menu_logs_out_with_a_post_form(alice: User) -> None:
    html = _page(_client_for(alice), reverse("home"))

    assert f'<form class="menu__logout" method="post" action="{reverse("account_logout")}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for url in (reverse("members:profile_edit"), reverse("mfa_index"), reverse("account_email")):
        assert f'href="{url}"' in html


def test_the_page_speaks_the_members_language(alice: User) -> None:
    alice.preferred_language = "ca"
    alice.save(update_fields=["preferred_language"])

    html = _page(_client_for(alice), reverse("home"))

    assert '<html lang="ca"' in html


def test_an_unknown_address_shows_our_404_page(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert_accessible_page(html)


def test_the_500_page_renders_without_a_request_context() -> None:
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert '<link rel="stylesheet" href="/static/frontend/css/coop.css">' in html
    assert_csp_friendly(html)


def test_the_account_menu_links_to_the_members_money(alice_client: Client) -> None:
    html = alice_client.get("/").content.decode()

    assert 'href="/money/"' in html
    assert 'href="/surplus/"' in html
    assert 'href="/money/board/"' not in html


def test_board_members_find_the_coop_accounts_and_the_board_desk(board_client: Client) -> None:
    html = board_client.get("/").content.decode()

    assert 'href="/money/board/"' in html
    assert 'href="/governance/board/"' in html


def test_an_applicant_is_shown_the_way_to_pay_their_share(applicant: User) -> None:
    client = Client()
    client.force_login(applicant)

    html = client.get("/").content.decode()

    assert 'href="/money/share/"' in html


def test_the_footer_links_to_the_community_fund_and_the_menu_to_privacy(
    alice_client: Client,
) -> None:
    html = alice_client.get("/").content.decode()

    assert 'href="/community/"' in html
    assert 'href="/commons/privacy/"' in html
