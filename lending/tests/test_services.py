from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from coop.exceptions import DomainError, NotAllowed
from coop.members.models import User
from coop.notifications.models import Notification
from governance.parameters import parameter_value
from lending import selectors, services
from lending.exceptions import NotAvailable
from lending.models import Hold, HoldStatus, Item, Reservation, ReservationStatus
from lending.tests.conftest import NOW, at

pytestmark = pytest.mark.django_db


def reserve(item: Item, member: User, start: int, end: int) -> Reservation:
    return services.reservation_request(
        borrower=member, item=item, starts_at=at(start), ends_at=at(end)
    )


def test_a_request_waits_for_the_owner_and_the_owner_is_told(
    drill: Item, alice: User, bob: User
) -> None:
    reservation = reserve(drill, bob, 2, 12)

    assert reservation.status == ReservationStatus.REQUESTED
    assert reservation.blocked_until == at(14)  # the 2-hour buffer
    assert Notification.objects.filter(
        recipient=alice, kind="lending.reservation_requested"
    ).exists()


def test_the_common_store_approves_automatically(ladder: Item, bob: User) -> None:
    reservation = reserve(ladder, bob, 1, 11)

    assert ladder.owner is None
    assert ladder.is_common_store
    assert reservation.status == ReservationStatus.APPROVED


def test_it_refuses_an_overlapping_reservation_with_the_next_free_windows(
    drill: Item, bob: User, charlie: User
) -> None:
    reserve(drill, bob, 2, 12)

    with pytest.raises(NotAvailable) as caught:
        reserve(drill, charlie, 10, 20)

    assert caught.value.code == "not_available"
    # Free again after bob's loan plus the buffer.
    assert caught.value.next_windows[0] == (at(14), None)


def test_the_buffer_between_loans_is_kept_on_both_sides(
    drill: Item, bob: User, charlie: User
) -> None:
    reserve(drill, bob, 10, 20)

    with pytest.raises(NotAvailable):
        reserve(drill, charlie, 21, 24)  # inside bob's buffer
    with pytest.raises(NotAvailable):
        reserve(drill, charlie, 5, 9)  # charlie's own buffer would reach bob's start
    assert reserve(drill, charlie, 22, 24).status == ReservationStatus.REQUESTED
    assert reserve(drill, charlie, 2, 8).status == ReservationStatus.REQUESTED


def test_the_next_free_windows_include_gaps_long_enough(drill: Item, bob: User) -> None:
    reserve(drill, bob, 2, 4)  # blocked until 6
    reserve(drill, bob, 12, 14)  # blocked until 16

    windows = services.next_free_windows(drill, after=at(2), hours=3)

    assert windows == [(at(6), at(10)), (at(16), None)]


@pytest.mark.parametrize(
    ("start", "end", "code", "field"),
    [
        (10, 5, "invalid_window", "ends_at"),  # end before start
        (10, 10, "invalid_window", "ends_at"),  # zero length
        (-5, 3, "invalid_window", "starts_at"),  # in the past
        (2, 100, "invalid_window", "ends_at"),  # too long (max 48 h)
        (2, 3, "invalid_window", "ends_at"),  # too short (min 2 h)
    ],
)
def test_it_refuses_bad_windows_clearly(  # noqa: PLR0917 - fixtures and parameters
    drill: Item, bob: User, start: int, end: int, code: str, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        reserve(drill, bob, start, end)

    assert caught.value.status == 400
    assert caught.value.code == code
    assert field in caught.value.fields


def test_reservations_are_on_the_hour(drill: Item, bob: User) -> None:
    with pytest.raises(DomainError) as caught:
        services.reservation_request(
            borrower=bob, item=drill, starts_at=at(2) + timedelta(minutes=30), ends_at=at(6)
        )
    assert caught.value.fields == {"starts_at": ["Reservations start and end on the hour."]}


def test_an_item_out_for_repair_or_overdue_for_its_safety_check_cannot_be_reserved(
    drill: Item, alice: User, bob: User, frozen_now: time_machine.Traveller
) -> None:
    services.item_set_repair(actor=alice, item=drill, out_for_repair=True)
    with pytest.raises(NotAvailable, match="repair"):
        reserve(drill, bob, 2, 6)
    services.item_set_repair(actor=alice, item=drill, out_for_repair=False)

    drill.safety_check_every_days = 30
    drill.last_safety_check_on = (NOW - timedelta(days=31)).date()
    drill.save()
    with pytest.raises(NotAvailable, match="safety check"):
        reserve(drill, bob, 2, 6)

    services.item_record_safety_check(actor=alice, item=drill)
    assert reserve(drill, bob, 2, 6).status == ReservationStatus.REQUESTED


def test_only_the_owner_approves_and_only_the_borrower_cancels(
    drill: Item, alice: User, bob: User, charlie: User
) -> None:
    reservation = reserve(drill, bob, 2, 12)

    with pytest.raises(NotAllowed):
        services.reservation_approve(actor=bob, reservation=reservation)
    services.reservation_approve(actor=alice, reservation=reservation)
    with pytest.raises(NotAllowed):
        services.reservation_cancel(actor=alice, reservation=reservation)
    with pytest.raises(NotAllowed):
        services.reservation_cancel(actor=charlie, reservation=reservation)

    cancelled = services.reservation_cancel(actor=bob, reservation=reservation)
    assert cancelled.status == ReservationStatus.CANCELLED
    # The window is free again.
    assert reserve(drill, charlie, 2, 12).status == ReservationStatus.REQUESTED


def test_a_declined_request_frees_the_calendar(drill: Item, alice: User, bob: User) -> None:
    reservation = reserve(drill, bob, 2, 12)

    services.reservation_decline(actor=alice, reservation=reservation)

    assert Reservation.objects.get(pk=reservation.pk).status == ReservationStatus.DECLINED
    assert reserve(drill, bob, 2, 12).status == ReservationStatus.REQUESTED


def test_the_full_loan_from_checkout_to_checkin_closes_cleanly(
    drill: Item, alice: User, bob: User, frozen_now: time_machine.Traveller
) -> None:
    reservation = reserve(drill, bob, 2, 12)
    services.reservation_approve(actor=alice, reservation=reservation)
    frozen_now.move_to(at(2))

    with pytest.raises(DomainError) as caught:
        services.reservation_pickup(actor=alice, reservation=reservation, answers={})
    assert caught.value.code == "prompts_unanswered"
    with pytest.raises(NotAllowed):
        services.reservation_pickup(
            actor=bob, reservation=reservation, answers={"Battery charged?": "yes"}
        )
    picked = services.reservation_pickup(
        actor=alice,
        reservation=reservation,
        condition_note="Small scratch on the grip",
        answers={"Battery charged?": "yes, both"},
    )
    assert picked.status == ReservationStatus.PICKED_UP
    assert picked.checkout_answers == {"Battery charged?": "yes, both"}

    frozen_now.move_to(at(11))
    returned = services.reservation_return(
        actor=alice,
        reservation=picked,
        condition="good",
        answers={"Bits all back in the case?": "all 20"},
    )
    assert returned.status == ReservationStatus.CLOSED
    assert returned.late_fee_cents == 0


def test_the_late_fee_follows_the_published_formula_and_its_cap(
    drill: Item, alice: User, bob: User
) -> None:
    reservation = reserve(drill, bob, 2, 12)
    rate = parameter_value("lending.late_fee_rate_cents")
    period = parameter_value("lending.late_fee_period_hours")
    cap = (
        drill.replacement_value_cents
        * parameter_value("lending.late_fee_cap_basis_points")
        // 10000
    )

    assert services.late_fee_cents(reservation, returned_at=at(12)) == 0
    assert services.late_fee_cents(reservation, returned_at=at(13)) == rate  # one started period
    assert services.late_fee_cents(reservation, returned_at=at(12 + period + 1)) == 2 * rate
    assert services.late_fee_cents(reservation, returned_at=at(12 + 1000 * period)) == cap


def test_a_member_with_an_overdue_loan_cannot_start_a_new_one(
    drill: Item, ladder: Item, alice: User, bob: User, frozen_now: time_machine.Traveller
) -> None:
    reservation = reserve(drill, bob, 2, 12)
    services.reservation_approve(actor=alice, reservation=reservation)
    frozen_now.move_to(at(2))
    services.reservation_pickup(
        actor=alice, reservation=reservation, answers={"Battery charged?": "y"}
    )
    frozen_now.move_to(at(15))  # three hours late

    assert Reservation.objects.get(pk=reservation.pk).is_overdue()
    with pytest.raises(DomainError) as caught:
        reserve(ladder, bob, 16, 18)
    assert caught.value.code == "overdue_loan"

    returned = services.reservation_return(
        actor=alice,
        reservation=reservation,
        condition="good",
        answers={"Bits all back in the case?": "yes"},
    )
    assert returned.late_fee_cents == parameter_value("lending.late_fee_rate_cents")


def test_a_borrower_extends_when_nothing_is_booked_after(
    drill: Item, alice: User, bob: User, charlie: User
) -> None:
    reservation = reserve(drill, bob, 2, 12)
    services.reservation_approve(actor=alice, reservation=reservation)

    extended = services.reservation_extend(actor=bob, reservation=reservation, ends_at=at(20))
    assert (extended.ends_at, extended.blocked_until) == (at(20), at(22))

    reserve(drill, charlie, 24, 30)
    with pytest.raises(NotAvailable):
        services.reservation_extend(actor=bob, reservation=extended, ends_at=at(23))
    with pytest.raises(NotAllowed):
        services.reservation_extend(actor=charlie, reservation=extended, ends_at=at(21))


def test_the_holds_queue_shows_positions_and_offers_the_item_when_it_frees_up(
    drill: Item, alice: User, bob: User, charlie: User, board: User
) -> None:
    reservation = reserve(drill, bob, 2, 12)
    first = services.hold_join(member=charlie, item=drill)
    second = services.hold_join(member=board, item=drill)

    assert selectors.hold_position(first) == 1
    assert selectors.hold_position(second) == 2
    with pytest.raises(DomainError):
        services.hold_join(member=charlie, item=drill)

    services.reservation_cancel(actor=bob, reservation=reservation)

    assert Hold.objects.get(pk=first.pk).status == HoldStatus.OFFERED
    assert selectors.hold_position(Hold.objects.get(pk=second.pk)) == 1
    assert Notification.objects.filter(recipient=charlie, kind="lending.hold_offered").exists()


def test_unanswered_requests_expire_and_reminders_are_sent_once(
    drill: Item, ladder: Item, alice: User, bob: User, charlie: User
) -> None:
    waiting = reserve(drill, bob, 3, 12)
    soon = reserve(ladder, charlie, 5, 9)

    assert services.reservations_expire(now=at(4)) == 1
    assert Reservation.objects.get(pk=waiting.pk).status == ReservationStatus.EXPIRED

    assert services.reservations_remind(now=NOW) == 1
    assert services.reservations_remind(now=NOW) == 0
    assert Notification.objects.filter(recipient=charlie, kind="lending.pickup_reminder").exists()
    assert Reservation.objects.get(pk=soon.pk).pickup_reminded_at is not None


def test_damage_found_at_checkin_is_reported_by_the_owner_and_decided_by_the_board(
    drill: Item, alice: User, bob: User, board: User, frozen_now: time_machine.Traveller
) -> None:
    reservation = reserve(drill, bob, 2, 12)
    services.reservation_approve(actor=alice, reservation=reservation)
    frozen_now.move_to(at(2))
    services.reservation_pickup(
        actor=alice, reservation=reservation, answers={"Battery charged?": "y"}
    )
    returned = services.reservation_return(
        actor=alice,
        reservation=reservation,
        condition="worn",
        answers={"Bits all back in the case?": "two missing"},
        damaged=True,
    )
    assert returned.status == ReservationStatus.RETURNED

    with pytest.raises(NotAllowed):
        services.damage_report_file(
            actor=bob, reservation=returned, description="x", claimed_cents=100
        )
    report = services.damage_report_file(
        actor=alice, reservation=returned, description="Two bits missing", claimed_cents=1500
    )
    with pytest.raises(NotAllowed):
        services.damage_report_decide(actor=alice, report=report, awarded_cents=1500)

    decided = services.damage_report_decide(actor=board, report=report, awarded_cents=1000)

    assert decided.status == "upheld"
    assert Reservation.objects.get(pk=reservation.pk).status == ReservationStatus.CLOSED
    assert Item.objects.get(pk=drill.pk).condition == "worn"


def test_enough_neighbours_wanting_the_same_thing_prompt_a_collective_purchase(
    alice: User, bob: User, charlie: User, board: User
) -> None:
    from coop.geo.points import Point  # noqa: PLC0415
    from coop.members.tests.factories import MemberFactory  # noqa: PLC0415

    threshold = parameter_value("lending.wanted_threshold_members")
    members = [MemberFactory.create() for _ in range(threshold)]
    far = services.wanted_create(
        member=alice, title="Pressure washer", category="cleaning", near=Point(40.4168, -3.7038)
    )
    for index, member in enumerate(members[:-1]):
        services.wanted_create(
            member=member,
            title="Pressure washer",
            category="cleaning",
            near=Point(41.3870 + index * 0.001, 2.1700),
        )
    assert not Notification.objects.filter(kind="lending.collective_purchase").exists()

    last = services.wanted_create(
        member=members[-1], title="Karcher", category="cleaning", near=Point(41.3880, 2.1710)
    )

    last.refresh_from_db()
    far.refresh_from_db()
    assert last.purchase is not None
    assert last.purchase.member_count == threshold
    assert far.purchase is None  # Madrid is not near Barcelona
    assert Notification.objects.filter(recipient=board, kind="lending.collective_purchase").exists()
    assert Notification.objects.filter(
        recipient=members[0], kind="lending.collective_purchase"
    ).exists()


def test_only_members_in_good_standing_list_and_borrow(applicant: User, drill: Item) -> None:
    from coop.geo.points import Point  # noqa: PLC0415

    with pytest.raises(NotAllowed):
        services.item_create(owner=applicant, title="Tent", pickup=Point(41.39, 2.17))
    with pytest.raises(NotAllowed):
        reserve(drill, applicant, 2, 6)


def test_only_the_board_adds_to_the_common_store(alice: User) -> None:
    from coop.geo.points import Point  # noqa: PLC0415

    with pytest.raises(NotAllowed):
        services.item_create(
            owner=alice, common_store=True, title="Tent", pickup=Point(41.39, 2.17)
        )
