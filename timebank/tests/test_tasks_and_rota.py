from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coop.geo.points import Point
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from timebank import rota, services
from timebank.exceptions import BalanceLimit, InvalidTransition, TimebankNotAllowed
from timebank.models import Chore, ChoreStatus, TransferKind
from timebank.tasks import timebank_auto_confirm, timebank_weekly_digest

pytestmark = pytest.mark.django_db


def test_the_weekly_digest_emails_new_posts_near_home_and_respects_the_opt_out(
    alice: User, bob: User, charlie: User
) -> None:
    for member in (bob, charlie):
        member.home_lat, member.home_lng = 41.3874, 2.1686
        member.save()
    services.account_update_settings(user=charlie, weekly_digest=False)
    services.post_create(
        author=alice,
        kind="offer",
        title="Plant swap",
        category="gardening",
        location=Point(41.39, 2.17),
    )

    timebank_weekly_digest.enqueue()

    assert [message.to for message in mail.outbox] == [[bob.email]]
    assert "Plant swap" in mail.outbox[0].body


def test_the_auto_confirm_task_runs_the_service(alice: User, bob: User) -> None:
    post = services.post_create(author=alice, kind="offer", title="Cooking", category="cooking")
    exchange = services.exchange_request(requester=bob, post=post, minutes=30)
    services.exchange_accept(user=alice, exchange=exchange)
    services.exchange_complete(user=alice, exchange=exchange)

    from timebank.models import Exchange  # noqa: PLC0415

    Exchange.objects.filter(pk=exchange.pk).update(completed_at=timezone.now() - timedelta(days=8))
    result = timebank_auto_confirm.enqueue()

    assert result.return_value == 1


def holder(chore: Chore) -> User:
    assert chore.assignee is not None
    return chore.assignee


def _board() -> User:
    return MemberFactory.create(is_board=True)


def test_the_rota_offers_a_chore_to_whoever_did_one_least_recently(alice: User, bob: User) -> None:
    board = _board()
    first = rota.chore_create(board=board, title="Recycling", minutes=60)
    first_worker = holder(first)
    assert first.status == ChoreStatus.OFFERED
    rota.chore_accept(user=first_worker, chore=first)
    services.community_gift(giver=alice, minutes=120)
    rota.chore_done(board=board, chore=first)

    second = rota.chore_create(board=board, title="Fix the bench", minutes=30)

    assert second.assignee_id != first_worker.pk
    candidates = rota.rota_candidates(second)
    assert candidates[-1].member.pk == first_worker.pk
    assert candidates[-1].chore_minutes_done == 60
    assert candidates[0].explanation(1)["algorithm"]["slug"] == "timebank-chore-rota"


def test_the_rota_prefers_members_near_the_chore_among_equals() -> None:
    board = _board()
    for member in User.objects.all():
        member.home_lat, member.home_lng = 40.4, -3.7  # Madrid: far away
        member.save()
    near = MemberFactory.create(home_lat=41.3874, home_lng=2.1686)

    chore = rota.chore_create(
        board=board, title="Garden", minutes=60, location=Point(41.388, 2.169)
    )

    assert chore.assignee_id == near.pk


def test_declining_offers_the_chore_to_the_next_member_and_a_swap_needs_acceptance(
    alice: User, bob: User, charlie: User
) -> None:
    board = _board()
    chore = rota.chore_create(board=board, title="Council", minutes=60)
    first = holder(chore)
    chore = rota.chore_decline(user=first, chore=chore)
    second = holder(chore)
    assert second.pk != first.pk
    rota.chore_accept(user=second, chore=chore)
    other = next(m for m in (alice, bob, charlie) if m.pk not in (second.pk,))

    chore = rota.chore_swap_request(user=second, chore=chore, to_member_id=other.pk)
    with pytest.raises(TimebankNotAllowed):  # the swap waits for `other`, not for its holder
        rota.chore_swap_accept(user=second, chore=chore)
    chore = rota.chore_swap_accept(user=other, chore=chore)

    assert chore.assignee_id == other.pk
    assert chore.status == ChoreStatus.ASSIGNED


def test_a_done_chore_is_paid_from_the_community_account_once(alice: User) -> None:
    board = _board()
    chore = rota.chore_create(board=board, title="Repairs", minutes=45)
    rota.chore_accept(user=holder(chore), chore=chore)
    with pytest.raises(TimebankNotAllowed):
        rota.chore_done(board=alice, chore=chore)

    chore = rota.chore_done(board=board, chore=chore)

    assert chore.transfer.kind == TransferKind.CHORE
    assert services.community_account().balance_minutes == -45
    with pytest.raises(InvalidTransition):
        rota.chore_done(board=board, chore=Chore.objects.get(pk=chore.pk))


def test_the_community_account_stops_paying_at_its_floor(alice: User) -> None:
    board = _board()
    chore = rota.chore_create(board=board, title="Big job", minutes=12001)
    rota.chore_accept(user=holder(chore), chore=chore)

    with pytest.raises(BalanceLimit):
        rota.chore_done(board=board, chore=chore)
