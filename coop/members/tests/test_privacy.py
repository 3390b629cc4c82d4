"""Members' own data: `GET /api/v1/me/export` and `DELETE /api/v1/me`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coop.geo.points import Point
from coop.members.models import MembershipStatus, User
from coop.members.privacy_registry import privacy_sections
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, ledger_post, ledger_reverse, member_account
from coop.money.models import AccountKind, Entry
from coop.notifications.services import notification_send
from governance import services as governance
from governance.models import AnonymousBallot, BallotKind
from governance.services.proposals import proposal_create
from lending import services as lending
from lending.models import Item
from rides.models import Booking as RideBooking
from rides.models import Offer
from rides.tests.conftest import make_offer
from stays.barcelona import DISTRICTS, LICENCE_PATTERN
from stays.models import Listing, ListingStatus, Zone
from stays.tests.conftest import make_listing
from stays.zones import bbox_of
from timebank import services as timebank
from timebank.models import Post

PASSWORD = "correct horse battery staple"


def _zones() -> None:
    for district in DISTRICTS:
        Zone.objects.create(
            slug=district.slug,
            name=district.name,
            polygon=district.polygon,
            licence_pattern=LICENCE_PATTERN,
            **bbox_of(district.polygon),
        )


def _drill(owner: User, title: str = "Cordless drill") -> Item:
    return lending.item_create(
        owner=owner,
        title=title,
        category="tools",
        replacement_value_cents=12000,
        deposit_cents=0,
        min_hours=1,
        max_hours=48,
        pickup=Point(41.4036, 2.1744),
        pickup_details="Carrer de Mallorca 401, 3-2",
    )


def _post(author: User, title: str) -> Post:
    return timebank.post_create(
        author=author,
        kind="offer",
        title=title,
        description="Punctures, brakes, gears.",
        category="repairs",
        tags=["bike"],
        location=Point(41.3874, 2.1686),
    )


def _some_of_everything(member: User, tag: str) -> None:
    """One row in every service, each carrying `tag` where it has text."""
    _post(member, f"Bike repairs {tag}")
    _drill(member, f"Drill {tag}")
    make_listing(member, title=f"Flat {tag}")
    make_offer(member)
    proposal_create(author=member, title=f"Proposal {tag}", text="Plant trees.", kind="general")
    notification_send(recipient=member, kind="test.hello", title=f"Hello {tag}")


def _payable_then_paid(member: User) -> None:
    """Money owed to the member, then settled: entries stay, the balance is zero."""
    owed = ledger_post(
        entries=[
            (coop_account(AccountKind.FEE_REVENUE), Money(500, "EUR")),
            (member_account(member, AccountKind.MEMBER_PAYABLE), Money(-500, "EUR")),
        ],
        cause=Cause.of("tests", member=member),
        description="A refund owed",
    )
    ledger_reverse(transaction_=owed, reason="Settled")


def test_the_export_holds_my_data_from_every_service_and_nobody_elses(
    alice: User, bob: User, alice_client: Client
) -> None:
    _zones()
    _some_of_everything(alice, "of Alice")
    _some_of_everything(bob, "of Bob")
    _payable_then_paid(alice)

    response = alice_client.get("/api/v1/me/export")

    assert response.status_code == 200
    data = response.json()
    assert {section.section for section in privacy_sections()} <= set(data)
    assert data["profile"]["email"] == "alice@example.org"
    assert [post["title"] for post in data["timebank"]["posts"]] == ["Bike repairs of Alice"]
    assert [item["title"] for item in data["lending"]["items"]] == ["Drill of Alice"]
    assert [listing["title"] for listing in data["stays"]["listings"]] == ["Flat of Alice"]
    assert len(data["rides"]["offers"]) == 1
    assert [p["title"] for p in data["governance"]["proposals"]] == ["Proposal of Alice"]
    assert [n["title"] for n in data["notifications"]["notifications"]] == ["Hello of Alice"]
    assert [entry["amount_cents"] for entry in data["money"]["entries"]] == [-500, 500]
    assert "of Bob" not in response.content.decode()
    assert "bob@example.org" not in response.content.decode()


def test_deleting_my_account_anonymises_me_and_keeps_the_ledgers_balanced(
    alice: User, bob: User, alice_client: Client
) -> None:
    _zones()
    _some_of_everything(alice, "of Alice")
    _payable_then_paid(alice)
    entries_before = Entry.objects.filter(account__owner=alice).count()

    response = alice_client.delete("/api/v1/me")

    assert response.status_code == 204
    alice.refresh_from_db()
    assert alice.display_name == "Former member"
    assert alice.email.endswith(".invalid")
    assert "alice" not in alice.email
    assert (alice.bio, alice.skills, alice.home) == ("", [], None)
    assert not alice.has_usable_password()
    assert not alice.is_active
    assert alice.membership_status == MembershipStatus.LEFT
    assert not alice.is_board
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not alice.notifications.exists()
    assert not Item.objects.filter(owner=alice, is_active=True).exists()
    assert Listing.objects.get(host=alice).status == ListingStatus.PAUSED
    assert Offer.objects.get(driver=alice).status == "cancelled"
    assert Post.objects.get(author=alice).title == "Removed"
    # The books are untouched and still balance.
    assert Entry.objects.filter(account__owner=alice).count() == entries_before
    call_command("ledger_check")
    # Bob's things are untouched.
    bob.refresh_from_db()
    assert bob.display_name == "Bob"
    assert bob.is_active


def test_a_deleted_member_can_no_longer_sign_in(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    assert client.delete("/api/v1/me").status_code == 204

    assert client.get("/api/v1/me").status_code == 401
    assert not Client().login(email="alice@example.org", password=PASSWORD)
    alice.refresh_from_db()
    assert not Client().login(email=alice.email, password=PASSWORD)


def _assert_refused(client: Client, member: User, mentions: str) -> None:
    response = client.delete("/api/v1/me")
    assert response.status_code == 409
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "open_obligations"
    assert any(mentions in line for line in error["fields"]["obligations"])
    member.refresh_from_db()
    assert member.is_active
    assert member.display_name != "Former member"


def test_leaving_is_refused_while_a_loan_is_open_on_either_side(
    alice: User, bob: User, alice_client: Client, bob_client: Client
) -> None:
    start = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    lending.reservation_request(
        borrower=bob, item=_drill(alice), starts_at=start, ends_at=start + timedelta(hours=3)
    )

    _assert_refused(bob_client, bob, "loan")
    _assert_refused(alice_client, alice, "items")


def test_leaving_is_refused_while_a_ride_is_booked(
    alice: User, bob: User, alice_client: Client, bob_client: Client
) -> None:
    offer = make_offer(alice)
    RideBooking.objects.create(
        offer=offer,
        passenger=bob,
        seats=1,
        pickup_lat=offer.origin_lat,
        pickup_lng=offer.origin_lng,
        dropoff_lat=offer.destination_lat,
        dropoff_lng=offer.destination_lng,
        shared_km=5,
        price_cents=300,
        currency=offer.currency,
        status="accepted",
    )

    _assert_refused(bob_client, bob, "seat booked")
    _assert_refused(alice_client, alice, "driving")


def test_leaving_is_refused_while_the_timebank_balance_is_not_zero(
    alice: User, bob: User, alice_client: Client
) -> None:
    timebank.transfer_create(payer=alice, to_member_id=bob.pk, minutes=60)

    _assert_refused(alice_client, alice, "timebank balance")


def test_leaving_is_refused_while_money_is_owed_to_me(alice: User, alice_client: Client) -> None:
    ledger_post(
        entries=[
            (coop_account(AccountKind.FEE_REVENUE), Money(500, "EUR")),
            (member_account(alice, AccountKind.MEMBER_PAYABLE), Money(-500, "EUR")),
        ],
        cause=Cause.of("tests", member=alice),
        description="A refund owed",
    )

    _assert_refused(alice_client, alice, "account holds")


@pytest.mark.django_db
def test_export_and_delete_need_a_signed_in_member() -> None:
    assert Client().get("/api/v1/me/export").status_code == 401
    assert Client().delete("/api/v1/me").status_code == 401


def test_the_export_costs_a_bounded_number_of_queries(
    alice: User, alice_client: Client, django_assert_max_num_queries: Any
) -> None:
    for number in range(5):
        _post(alice, f"Post {number}")
        notification_send(recipient=alice, kind="test.hello", title=f"Hello {number}")

    # A few queries per app section, whatever the number of rows: the cap moves only when a
    # section starts exporting a new kind of row.
    with django_assert_max_num_queries(45):
        assert alice_client.get("/api/v1/me/export").status_code == 200


def test_a_secret_vote_shows_in_the_export_as_taken_part_never_as_how(
    alice: User, board: User, alice_client: Client
) -> None:
    now = timezone.now()
    ballot = governance.ballot_create(
        title="Plant more trees",
        kind=BallotKind.YES_NO,
        options=[],
        opens_at=now,
        closes_at=now + timedelta(days=3),
        created_by=board,
    )
    cast = governance.vote_cast(ballot=ballot, voter=alice, content={"choice": "no"})

    export = alice_client.get("/api/v1/me/export").json()["governance"]

    assert export["ballots_voted"] == [
        {"ballot": ballot.pk, "title": "Plant more trees", "by_proxy": False}
    ]
    assert export["recorded_votes"] == []
    assert cast.receipt not in str(export)
    assert alice_client.delete("/api/v1/me").status_code == 204
    # The anonymous ballot is still counted, and still carries no member.
    assert AnonymousBallot.objects.filter(ballot=ballot).count() == 1


def test_consents_and_proposed_projects_are_exported_and_let_go_on_leaving(
    alice: User, alice_client: Client
) -> None:
    from coop.commons.models import Consent, Purpose  # noqa: PLC0415
    from coop.community.models import CommunityProject  # noqa: PLC0415

    Consent.objects.create(member=alice, purpose=Purpose.RIDES, granted=True)
    project = CommunityProject.objects.create(
        slug="benches-sants", name="Benches for Sants", amount_cents=90_000, proposed_by=alice
    )

    export = alice_client.get("/api/v1/me/export").json()

    assert export["city_data"]["consents"][0]["purpose"] == "rides"
    assert export["community"]["proposed_projects"][0]["slug"] == "benches-sants"
    assert export["surplus"] == {"patronage": []}

    assert alice_client.delete("/api/v1/me").status_code == 204
    assert not Consent.objects.filter(member=alice).exists()
    project.refresh_from_db()
    assert project.proposed_by is None
