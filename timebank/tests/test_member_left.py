"""A member who left while a request was on its way is refused (`member_left`), never given
hours, a post or an exchange as an anonymised account."""

from __future__ import annotations

import pytest

from coop.members.exceptions import MemberLeft
from coop.members.models import User
from coop.members.tests.leaving import leave_behind_their_back
from timebank import services
from timebank.models import Exchange, Post, Transfer

pytestmark = pytest.mark.django_db


def test_a_transfer_from_a_member_who_left_is_refused(alice: User, bob: User) -> None:
    leave_behind_their_back(alice)

    with pytest.raises(MemberLeft):
        services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=60)
    assert not Transfer.objects.exists()


def test_a_transfer_to_a_member_who_left_after_being_looked_up_is_refused(
    alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up = User.objects.get(pk=bob.pk)
    monkeypatch.setattr(services, "member_get", lambda *args, **kwargs: looked_up)
    leave_behind_their_back(bob)

    with pytest.raises(MemberLeft) as caught:
        services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=60)
    assert caught.value.code == "member_left"
    assert not Transfer.objects.exists()


def test_a_gift_to_the_community_from_a_member_who_left_is_refused(alice: User) -> None:
    leave_behind_their_back(alice)

    with pytest.raises(MemberLeft):
        services.community_gift(giver=alice, minutes=30)
    assert not Transfer.objects.exists()


def test_a_post_by_a_member_who_left_is_refused(alice: User) -> None:
    leave_behind_their_back(alice)

    with pytest.raises(MemberLeft):
        services.post_create(author=alice, kind="offer", title="Bike repairs", category="repairs")
    assert not Post.objects.exists()


def test_an_exchange_on_the_post_of_a_member_who_left_is_refused(
    alice: User, bob: User, offer: Post
) -> None:
    leave_behind_their_back(alice)

    with pytest.raises(MemberLeft):
        services.exchange_request(requester=bob, post=offer, minutes=60)
    assert not Exchange.objects.exists()


def test_an_exchange_asked_by_a_member_who_left_is_refused(bob: User, offer: Post) -> None:
    leave_behind_their_back(bob)

    with pytest.raises(MemberLeft):
        services.exchange_request(requester=bob, post=offer, minutes=60)
    assert not Exchange.objects.exists()
