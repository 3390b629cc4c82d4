from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from coop.members.models import User
from coop.members.tests.factories import MemberFactory, UserFactory
from coop.notifications.models import Notification
from timebank import services
from timebank.exceptions import (
    AlreadyEndorsed,
    BalanceLimit,
    InvalidMinutes,
    InvalidTransition,
    SelfTransfer,
    TimebankNotAllowed,
    UnknownMember,
)
from timebank.models import (
    CoordinatorAction,
    ExchangeStatus,
    Movement,
    Post,
    TimeAccount,
    Transfer,
    TransferKind,
)
from timebank.tests.conftest import give, run_exchange

pytestmark = pytest.mark.django_db


def balance(user: User) -> int:
    return services.account_for(user).balance_minutes


def total_of_all_balances() -> int:
    return TimeAccount.objects.aggregate(total=Sum("balance_minutes"))["total"] or 0


def test_a_direct_transfer_writes_two_equal_and_opposite_movements(alice: User, bob: User) -> None:
    transfer = services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=90, note="Lift")

    assert transfer.kind == TransferKind.DIRECT
    assert sorted(transfer.movements.values_list("amount_minutes", flat=True)) == [-90, 90]
    assert balance(alice) == -90
    assert balance(bob) == 90
    assert total_of_all_balances() == 0
    assert Notification.objects.filter(recipient=bob, kind="timebank.transfer_received").exists()


@pytest.mark.parametrize("minutes", [0, -5, 10**12, 1.5, "abc", None, True])
def test_it_refuses_minutes_that_are_not_a_positive_whole_number(
    alice: User, bob: User, minutes: object
) -> None:
    with pytest.raises(InvalidMinutes) as error:
        services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=minutes)

    assert error.value.code == "invalid_minutes"
    assert "minutes" in error.value.fields
    assert Transfer.objects.count() == 0


def test_it_refuses_a_transfer_to_an_unknown_member(alice: User) -> None:
    with pytest.raises(UnknownMember):
        services.transfer_create(payer=alice, to_member_id=999_999, minutes=10)


def test_it_refuses_a_transfer_to_an_applicant(alice: User, applicant: User) -> None:
    with pytest.raises(UnknownMember):
        services.transfer_create(payer=alice, to_member_id=applicant.pk, minutes=10)


def test_it_refuses_a_transfer_to_yourself(alice: User) -> None:
    with pytest.raises(SelfTransfer) as error:
        services.transfer_create(payer=alice, to_member_id=alice.pk, minutes=10)

    assert error.value.code == "self_transfer"


def test_an_applicant_cannot_send_hours(applicant: User, bob: User) -> None:
    with pytest.raises(TimebankNotAllowed):
        services.transfer_create(payer=applicant, to_member_id=bob.pk, minutes=10)


def test_it_refuses_a_transfer_below_the_payers_minimum_and_says_how_much_is_possible(
    alice: User, bob: User
) -> None:
    services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=500)

    with pytest.raises(BalanceLimit) as error:
        services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=200)

    assert error.value.code == "balance_limit"
    assert error.value.status == 409
    assert error.value.possible_minutes == 100
    assert "100 minutes" in error.value.message
    assert balance(alice) == -500


def test_it_refuses_a_transfer_above_the_payees_maximum(alice: User, bob: User) -> None:
    give(bob, 2350)

    with pytest.raises(BalanceLimit) as error:
        services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=60)

    assert error.value.possible_minutes == 50
    services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=50)
    assert balance(bob) == 2400


def test_the_limits_follow_the_governance_parameters(alice: User, bob: User) -> None:
    limits = services.account_limits(services.account_for(alice))

    assert (limits.min_minutes, limits.max_minutes) == (-600, 2400)


def test_a_members_gift_goes_to_the_community_account_which_has_no_ceiling(alice: User) -> None:
    give(alice, 2000)

    services.community_gift(giver=alice, minutes=600)

    community = services.community_account()
    assert community.balance_minutes == 600
    assert services.account_limits(community).max_minutes is None
    assert total_of_all_balances() == 0


def test_an_offer_exchange_moves_hours_from_the_receiver_to_the_poster_on_confirmation(
    alice: User, bob: User, offer: Post
) -> None:
    exchange = services.exchange_request(requester=bob, post=offer, minutes=60)
    assert (exchange.provider_id, exchange.receiver_id) == (alice.pk, bob.pk)
    assert Notification.objects.filter(recipient=alice, kind="timebank.exchange_requested").exists()

    exchange = services.exchange_accept(user=alice, exchange=exchange)
    assert exchange.status == ExchangeStatus.ACCEPTED
    exchange = services.exchange_complete(user=alice, exchange=exchange)
    assert exchange.status == ExchangeStatus.COMPLETED
    assert balance(bob) == 0  # nothing moves before confirmation

    exchange = services.exchange_confirm(user=bob, exchange=exchange)

    assert exchange.status == ExchangeStatus.CONFIRMED
    assert (balance(alice), balance(bob)) == (60, -60)
    assert exchange.transfer.kind == TransferKind.EXCHANGE
    assert Notification.objects.filter(recipient=alice, kind="timebank.exchange_confirmed").exists()


def test_on_a_request_the_responder_provides(alice: User, bob: User) -> None:
    request = services.post_create(
        author=alice, kind="request", title="Catalan lessons", category="lessons"
    )

    exchange = run_exchange(request, bob, 45)

    assert (exchange.provider_id, exchange.receiver_id) == (bob.pk, alice.pk)
    assert (balance(alice), balance(bob)) == (-45, 45)


def test_a_member_cannot_confirm_the_exchange_they_provided(
    alice: User, bob: User, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    with pytest.raises(TimebankNotAllowed):
        services.exchange_confirm(user=alice, exchange=exchange)

    assert balance(alice) == 0


def test_the_requester_cannot_accept_their_own_proposal(bob: User, offer: Post) -> None:
    exchange = run_exchange(offer, bob, 60, until="requested")

    with pytest.raises(TimebankNotAllowed):
        services.exchange_accept(user=bob, exchange=exchange)


def test_charlie_cannot_touch_an_exchange_between_alice_and_bob(
    bob: User, charlie: User, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    for step in (services.exchange_confirm, services.exchange_cancel, services.exchange_accept):
        with pytest.raises(TimebankNotAllowed):
            step(user=charlie, exchange=exchange)


def test_steps_out_of_order_are_refused(alice: User, bob: User, offer: Post) -> None:
    exchange = run_exchange(offer, bob, 60, until="requested")

    with pytest.raises(InvalidTransition):
        services.exchange_complete(user=alice, exchange=exchange)
    exchange = run_exchange(offer, bob, 60, until="confirmed")
    with pytest.raises(InvalidTransition):
        services.exchange_confirm(user=bob, exchange=exchange)
    assert Transfer.objects.filter(exchange=exchange).count() == 1


def test_either_side_can_cancel_before_completion_but_not_after(
    alice: User, bob: User, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="accepted")
    exchange = services.exchange_cancel(user=bob, exchange=exchange)
    assert exchange.status == ExchangeStatus.CANCELLED

    done = run_exchange(offer, bob, 60, until="completed")
    with pytest.raises(InvalidTransition):
        services.exchange_cancel(user=alice, exchange=done)


def test_you_cannot_answer_your_own_post(alice: User, offer: Post) -> None:
    with pytest.raises(SelfTransfer):
        services.exchange_request(requester=alice, post=offer, minutes=30)


def test_a_confirmation_over_the_limit_is_refused_and_the_exchange_stays_completed(
    alice: User, bob: User, offer: Post
) -> None:
    services.transfer_create(payer=bob, to_member_id=alice.pk, minutes=580)
    exchange = run_exchange(offer, bob, 60, until="completed")

    with pytest.raises(BalanceLimit) as error:
        services.exchange_confirm(user=bob, exchange=exchange)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.COMPLETED
    assert error.value.possible_minutes == 20


def test_a_dispute_goes_to_the_board_who_can_confirm_it(
    alice: User, bob: User, board: User, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    exchange = services.exchange_dispute(user=bob, exchange=exchange, reason="Took 30 min")
    assert exchange.status == ExchangeStatus.DISPUTED
    assert Notification.objects.filter(recipient=board, kind="timebank.dispute_opened").exists()
    with pytest.raises(TimebankNotAllowed):
        services.exchange_resolve(board=alice, exchange=exchange, outcome="confirm")

    exchange = services.exchange_resolve(board=board, exchange=exchange, outcome="confirm")

    assert exchange.status == ExchangeStatus.CONFIRMED
    assert exchange.resolved_by_id == board.pk
    assert balance(alice) == 60


def test_the_board_can_cancel_a_disputed_exchange_unpaid(
    alice: User, bob: User, board: User, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")
    services.exchange_dispute(user=alice, exchange=exchange, reason="Never came")

    exchange = services.exchange_resolve(board=board, exchange=exchange, outcome="cancel")

    assert exchange.status == ExchangeStatus.CANCELLED
    assert balance(alice) == 0


def test_a_completed_exchange_is_confirmed_automatically_after_the_set_days(
    alice: User, bob: User, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    assert services.exchange_auto_confirm_due(now=timezone.now() + timedelta(days=6)) == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert services.exchange_auto_confirm_due() == 1

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert balance(alice) == 60


def test_endorsements_come_after_confirmation_and_once_per_side(
    alice: User, bob: User, charlie: User, offer: Post
) -> None:
    pending = run_exchange(offer, bob, 60, until="completed")
    with pytest.raises(InvalidTransition):
        services.endorsement_create(author=bob, exchange=pending, text="Great")
    exchange = run_exchange(offer, bob, 30)

    endorsement = services.endorsement_create(author=bob, exchange=exchange, text="Fixed my brakes")

    assert endorsement.subject_id == alice.pk
    with pytest.raises(AlreadyEndorsed):
        services.endorsement_create(author=bob, exchange=exchange, text="Again")
    with pytest.raises(TimebankNotAllowed):
        services.endorsement_create(author=charlie, exchange=exchange, text="Me too")
    services.endorsement_create(author=alice, exchange=exchange, text="Kind and on time")


def test_a_coordinator_records_a_transfer_for_a_member_and_the_member_sees_it(
    alice: User, bob: User, board: User
) -> None:
    coordinator = MemberFactory.create()
    services.coordinator_appoint(board=board, member_id=coordinator.pk)

    transfer = services.transfer_create(
        payer=alice, to_member_id=bob.pk, minutes=30, recorded_by=coordinator
    )

    assert transfer.recorded_by_id == coordinator.pk
    action = CoordinatorAction.objects.get(member=alice)
    assert action.coordinator_id == coordinator.pk
    assert Notification.objects.filter(recipient=alice, kind="timebank.recorded_for_you").exists()


def test_a_member_cannot_move_someone_elses_hours(alice: User, bob: User, charlie: User) -> None:
    with pytest.raises(TimebankNotAllowed):
        services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=30, recorded_by=charlie)

    assert balance(alice) == 0


def test_only_the_board_appoints_coordinators(alice: User, bob: User) -> None:
    with pytest.raises(TimebankNotAllowed):
        services.coordinator_appoint(board=alice, member_id=bob.pk)


def test_post_create_validates_kind_category_and_title(alice: User) -> None:
    from coop.exceptions import InvalidInput  # noqa: PLC0415

    with pytest.raises(InvalidInput) as error:
        services.post_create(author=alice, kind="sale", title="x", category="cars")
    assert set(error.value.fields) == {"kind", "category"}
    with pytest.raises(InvalidInput):
        services.post_create(author=alice, kind="offer", title="   ", category="care")
    with pytest.raises(TimebankNotAllowed):
        services.post_create(author=UserFactory.create(), kind="offer", title="Hi", category="care")


def test_the_check_command_passes_on_a_consistent_ledger_and_fails_on_a_tampered_cache(
    alice: User, bob: User
) -> None:
    services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=30)
    call_command("timebank_check")

    TimeAccount.objects.filter(owner=bob).update(balance_minutes=31)

    from django.core.management.base import CommandError  # noqa: PLC0415

    with pytest.raises(CommandError):
        call_command("timebank_check")


def test_movements_keep_the_running_balance(alice: User, bob: User) -> None:
    services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=30)
    services.transfer_create(payer=bob, to_member_id=alice.pk, minutes=10)

    rows = list(
        Movement.objects.filter(account__owner=bob)
        .order_by("id")
        .values_list("amount_minutes", "balance_after_minutes")
    )

    assert rows == [(30, 30), (-10, 20)]


def test_a_board_member_cannot_resolve_a_dispute_they_are_part_of(alice: User, board: User) -> None:
    post = services.post_create(author=alice, kind="offer", title="Ironing", category="care")
    exchange = run_exchange(post, board, 30, until="completed")
    services.exchange_dispute(user=alice, exchange=exchange, reason="Half done")

    with pytest.raises(TimebankNotAllowed):
        services.exchange_resolve(board=board, exchange=exchange, outcome="cancel")
