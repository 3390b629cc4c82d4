from __future__ import annotations

from django.test import Client

from coop.commons.models import Consent, Purpose
from coop.members.models import User
from frontend.testing import assert_accessible_page

URL = "/commons/privacy/"


def test_the_privacy_page_says_what_is_shared_and_starts_with_everything_off(
    alice_client: Client,
) -> None:
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "EU Regulation 2024/1028" in html
    assert "Never who helped whom" in html
    assert " checked" not in html


def test_a_member_changes_their_consent_per_purpose(alice: User, alice_client: Client) -> None:
    response = alice_client.post(URL, {"consent_rides": "yes"})
    assert response.status_code == 302
    granted = dict(Consent.objects.filter(member=alice).values_list("purpose", "granted"))
    assert granted == {
        Purpose.RIDES: True,
        Purpose.LENDING: False,
        Purpose.TIMEBANK: False,
        Purpose.STAYS_ZONES: False,
    }
    alice_client.post(URL, {"consent_timebank": "yes"})
    granted = dict(Consent.objects.filter(member=alice).values_list("purpose", "granted"))
    assert granted[Purpose.RIDES] is False
    assert granted[Purpose.TIMEBANK] is True
    assert 'id="consent_timebank" name="consent_timebank" value="yes"' in (
        alice_client.get(URL).content.decode()
    )


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]
