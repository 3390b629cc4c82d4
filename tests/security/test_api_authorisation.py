"""Who may call what: every operation of /api/v1/ with an outsider and an ordinary member.

The matrix below has one entry per operation of the OpenAPI document; an operation without an
entry fails `test_every_api_operation_is_in_the_matrix`, so a new endpoint has to say who may
call it. For each entry:

- an anonymous caller gets 401 (or the status the entry names: public pages answer);
- charlie, a member with no part in alice's things, gets 403 or 404 on `OWNER` entries (404
  when he may not even know the thing exists) and on `BOARD` entries;
- the rightful caller named by the entry is not refused, which proves that charlie's refusal
  comes from who he is and not from a wrong id or body in the matrix.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from PIL import Image

from coop.api import api
from stays.tests.conftest import soon
from tests.security.conftest import World


class Access(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    MEMBER = "member"  # any member, about their own things or the co-op's shared ones
    OWNER = "owner"  # only the people a thing belongs to (alice, or bob as her counterpart)
    BOARD = "board"  # only the board
    CITY = "city"  # only city data clients, with their bearer token
    STRIPE = "stripe"  # only Stripe, by the signature over the body


Values = Callable[[World], dict[str, Any]]


def _none(_: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Rule:
    access: Access
    path: Values = _none
    body: Values | None = None
    query: Values = _none
    # Who may do it, to show the entry is right: "alice", "bob", "board" or None to skip
    # (actions with outside effects, or on things that do not exist).
    rightful: str | None = "alice"
    anonymous: frozenset[int] = field(default_factory=lambda: frozenset({401}))
    multipart: bool = False  # send `body` as a form with files instead of JSON


def owner(
    path: Values,
    body: Values | None = None,
    rightful: str | None = "alice",
    *,
    multipart: bool = False,
) -> Rule:
    return Rule(Access.OWNER, path=path, body=body, rightful=rightful, multipart=multipart)


def board(path: Values = _none, body: Values | None = None, rightful: str | None = "board") -> Rule:
    return Rule(Access.BOARD, path=path, body=body, rightful=rightful)


def member(path: Values = _none, body: Values | None = None, query: Values = _none) -> Rule:
    return Rule(Access.MEMBER, path=path, body=body, query=query, rightful=None)


PUBLIC = Rule(Access.PUBLIC, rightful=None, anonymous=frozenset({200}))
CITY = Rule(Access.CITY, rightful=None)
MEMBER = member()
BOARD = board()
NOBODY = 987654  # an id that names nothing


def _item(w: World) -> dict[str, Any]:
    return {"item_id": w.item.pk}


def _reservation(w: World) -> dict[str, Any]:
    return {"reservation_id": w.reservation.pk}


def _listing(w: World) -> dict[str, Any]:
    return {"listing_id": w.listing.pk}


def _stay(w: World) -> dict[str, Any]:
    return {"booking_id": w.stay.pk}


def _offer(w: World) -> dict[str, Any]:
    return {"offer_id": w.offer.pk}


def _ride(w: World) -> dict[str, Any]:
    return {"booking_id": w.ride.pk}


def _exchange(w: World) -> dict[str, Any]:
    return {"exchange_id": w.exchange.pk}


def _chore(w: World) -> dict[str, Any]:
    return {"chore_id": w.chore.pk}


def _proposal(w: World) -> dict[str, Any]:
    return {"proposal_id": w.proposal.pk}


def _ballot(w: World) -> dict[str, Any]:
    return {"ballot_id": w.ballot.pk}


def _year(_: World) -> dict[str, Any]:
    return {"year": timezone.localdate().year - 1}


def _listing_body(_: World) -> dict[str, Any]:
    return {
        "home_type": "entire_home",
        "title": "Flat in the Eixample",
        "capacity": 4,
        "beds": 2,
        "nightly_price_cents": 9000,
        "licence_number": "HUTB-012345",
    }


def _photo(**fields: str) -> Callable[[World], dict[str, Any]]:
    def body(_: World) -> dict[str, Any]:
        image = io.BytesIO()
        Image.new("RGB", (8, 8), "teal").save(image, format="PNG")
        return {**fields, "photo": SimpleUploadedFile("p.png", image.getvalue(), "image/png")}

    return body


def _in_days(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0).isoformat()


def _place(lat: float, lng: float, label: str) -> dict[str, Any]:
    return {"lat": lat, "lng": lng, "label": label}


MATRIX: dict[str, Rule] = {
    # Members
    "GET /api/v1/me": MEMBER,
    "PATCH /api/v1/me": member(body=lambda w: {"bio": "Hi"}),
    "DELETE /api/v1/me": MEMBER,
    "GET /api/v1/me/export": MEMBER,
    "GET /api/v1/members/{member_id}": member(path=lambda w: {"member_id": w.alice.pk}),
    "GET /api/v1/notifications": MEMBER,
    "GET /api/v1/notifications/unread-count": MEMBER,
    "POST /api/v1/notifications/read-all": MEMBER,
    "POST /api/v1/notifications/{notification_id}/read": owner(
        lambda w: {"notification_id": w.notification.pk}
    ),
    "GET /api/v1/algorithms": PUBLIC,
    # Co-op money, surplus and shares
    "GET /api/v1/coop/surplus/{year}/statement": member(path=_year),
    "POST /api/v1/coop/surplus/{year}/choice": member(
        path=_year, body=lambda w: {"to_capital": True}
    ),
    "GET /api/v1/coop/surplus/closes": BOARD,
    "POST /api/v1/coop/surplus/{year}/simulate": board(_year),
    # Approving and paying need a simulated close first: coop/surplus's tests walk that path.
    "POST /api/v1/coop/surplus/{year}/approve": board(_year, rightful=None),
    "POST /api/v1/coop/surplus/{year}/pay": board(_year, rightful=None),
    "GET /api/v1/coop/ledger": MEMBER,
    "GET /api/v1/coop/accounts": BOARD,
    "POST /api/v1/payments/shares": MEMBER,
    "POST /api/v1/payments/shares/refund-requests": MEMBER,
    "POST /api/v1/payments/shares/refund-requests/{request_id}/approve": board(
        lambda w: {"request_id": w.refund_request.pk},
        rightful=None,  # approving refunds through Stripe: covered in coop/money's tests
    ),
    "POST /api/v1/payments/{payment_id}/localstripe-confirm": owner(
        lambda w: {"payment_id": w.payment.pk},
        body=lambda w: {"card_number": "4242424242424242"},
        rightful=None,  # bob's confirmation talks to localstripe: coop/money's tests
    ),
    # Signed by Stripe instead of a member: anyone reaches it, a bad signature is a 400 (or
    # 503 while the secret is not configured).
    "POST /api/v1/payments/stripe/webhook": Rule(
        Access.STRIPE, rightful=None, anonymous=frozenset({400, 503})
    ),
    # Timebank
    "GET /api/v1/timebank/posts": MEMBER,
    "POST /api/v1/timebank/posts": member(
        body=lambda w: {"kind": "request", "title": "Help moving", "category": "other"}
    ),
    "GET /api/v1/timebank/posts/{post_id}": member(path=lambda w: {"post_id": w.post.pk}),
    "POST /api/v1/timebank/posts/{post_id}/close": owner(lambda w: {"post_id": w.post.pk}),
    "GET /api/v1/timebank/account": MEMBER,
    "PATCH /api/v1/timebank/account": member(body=lambda w: {"weekly_digest": False}),
    "POST /api/v1/timebank/transfers": member(
        body=lambda w: {"to_member": w.alice.pk, "minutes": 30}
    ),
    "POST /api/v1/timebank/community/gifts": member(body=lambda w: {"amount_cents": 30}),
    "GET /api/v1/timebank/exchanges": MEMBER,
    "POST /api/v1/timebank/exchanges": member(body=lambda w: {"post": w.post.pk, "minutes": 30}),
    "GET /api/v1/timebank/exchanges/{exchange_id}": owner(_exchange),
    "POST /api/v1/timebank/exchanges/{exchange_id}/accept": owner(_exchange),
    "POST /api/v1/timebank/exchanges/{exchange_id}/complete": owner(_exchange),
    "POST /api/v1/timebank/exchanges/{exchange_id}/confirm": owner(_exchange, rightful="bob"),
    "POST /api/v1/timebank/exchanges/{exchange_id}/cancel": owner(_exchange, rightful="bob"),
    "POST /api/v1/timebank/exchanges/{exchange_id}/dispute": owner(
        _exchange, body=lambda w: {"reason": "Never came."}
    ),
    "POST /api/v1/timebank/exchanges/{exchange_id}/resolve": board(
        _exchange, body=lambda w: {"outcome": "cancel"}
    ),
    "POST /api/v1/timebank/exchanges/{exchange_id}/endorsements": owner(
        _exchange, body=lambda w: {"text": "Lovely."}, rightful="bob"
    ),
    "GET /api/v1/timebank/members/{member_id}": member(path=lambda w: {"member_id": w.alice.pk}),
    "GET /api/v1/timebank/ledger": MEMBER,
    "GET /api/v1/timebank/ledger/export": MEMBER,
    "GET /api/v1/timebank/bank/export": BOARD,
    "GET /api/v1/timebank/chores": MEMBER,
    "POST /api/v1/timebank/chores": board(body=lambda w: {"title": "Sweep", "minutes": 20}),
    "GET /api/v1/timebank/chores/{chore_id}/candidates": board(_chore),
    "POST /api/v1/timebank/chores/{chore_id}/accept": owner(_chore, rightful="assignee"),
    "POST /api/v1/timebank/chores/{chore_id}/decline": owner(_chore, rightful="assignee"),
    "POST /api/v1/timebank/chores/{chore_id}/swap": owner(
        _chore, body=lambda w: {"to_member": w.bob.pk}, rightful="assignee"
    ),
    "POST /api/v1/timebank/chores/{chore_id}/swap/accept": owner(_chore, rightful=None),
    "POST /api/v1/timebank/chores/{chore_id}/done": board(_chore),
    "POST /api/v1/timebank/coordinators": board(body=lambda w: {"member": w.bob.pk}),
    # Governance: proposals and ballots belong to every member
    "GET /api/v1/governance/proposals": MEMBER,
    "POST /api/v1/governance/proposals": member(
        body=lambda w: {"title": "Open Sundays", "text": "Let us.", "kind": "general"}
    ),
    "GET /api/v1/governance/proposals/{proposal_id}": member(path=_proposal),
    "POST /api/v1/governance/proposals/{proposal_id}/sponsor": member(path=_proposal),
    "GET /api/v1/governance/proposals/{proposal_id}/comments": member(path=_proposal),
    "POST /api/v1/governance/proposals/{proposal_id}/comments": member(
        path=_proposal, body=lambda w: {"text": "Yes!"}
    ),
    "GET /api/v1/governance/ballots": MEMBER,
    "POST /api/v1/governance/ballots": board(
        body=lambda w: {"title": "Paint it red?", "kind": "yes_no", "closes_at": _in_days(3)}
    ),
    "GET /api/v1/governance/ballots/{ballot_id}": member(path=_ballot),
    "POST /api/v1/governance/ballots/{ballot_id}/votes": member(
        path=_ballot, body=lambda w: {"choice": "yes"}
    ),
    "POST /api/v1/governance/ballots/{ballot_id}/proxy": member(
        path=_ballot, body=lambda w: {"holder": w.bob.pk}
    ),
    "GET /api/v1/governance/ballots/{ballot_id}/result": member(path=_ballot),
    "GET /api/v1/governance/ballots/{ballot_id}/published": member(path=_ballot),
    "GET /api/v1/governance/parameters": PUBLIC,
    "GET /api/v1/governance/audit": BOARD,
    # Lending
    "GET /api/v1/lending/items": MEMBER,
    "POST /api/v1/lending/items": member(
        body=lambda w: {"title": "Ladder", "pickup": {"lat": 41.39, "lng": 2.16}}
    ),
    "GET /api/v1/lending/items/{item_id}": member(path=_item),
    "POST /api/v1/lending/items/{item_id}/reservations": member(
        path=_item, body=lambda w: {"starts_at": _in_days(5), "ends_at": _in_days(6)}
    ),
    "POST /api/v1/lending/items/{item_id}/holds": member(path=_item),
    "GET /api/v1/lending/holds": MEMBER,
    "GET /api/v1/lending/reservations": MEMBER,
    "GET /api/v1/lending/reservations/{reservation_id}": owner(_reservation),
    "POST /api/v1/lending/reservations/{reservation_id}/approve": owner(_reservation),
    "POST /api/v1/lending/reservations/{reservation_id}/decline": owner(_reservation),
    "POST /api/v1/lending/reservations/{reservation_id}/cancel": owner(
        _reservation, rightful="bob"
    ),
    "POST /api/v1/lending/reservations/{reservation_id}/pickup": owner(
        _reservation, body=lambda w: {}
    ),
    "POST /api/v1/lending/reservations/{reservation_id}/return": owner(
        _reservation, body=lambda w: {"condition": "good"}
    ),
    "POST /api/v1/lending/reservations/{reservation_id}/extend": owner(
        _reservation, body=lambda w: {"ends_at": _in_days(3)}, rightful="bob"
    ),
    "POST /api/v1/lending/reservations/{reservation_id}/damage": owner(
        _reservation, body=lambda w: {"description": "Cracked.", "claimed_cents": 100}
    ),
    "POST /api/v1/lending/damage-reports/{report_id}/decide": board(
        lambda w: {"report_id": NOBODY}, body=lambda w: {"awarded_cents": 100}, rightful=None
    ),
    "GET /api/v1/lending/wanted": MEMBER,
    "POST /api/v1/lending/wanted": member(body=lambda w: {"title": "A tent", "category": "other"}),
    "PATCH /api/v1/lending/items/{item_id}": owner(_item, body=lambda w: {"title": "Drill"}),
    "POST /api/v1/lending/items/{item_id}/photos": owner(
        _item, body=_photo(alt_text="The drill"), multipart=True
    ),
    "PUT /api/v1/lending/items/{item_id}/photos/order": owner(
        _item, body=lambda w: {"photo_ids": []}, rightful=None
    ),
    # The photos themselves need files on disk: lending's tests cover the rightful side.
    "DELETE /api/v1/lending/items/{item_id}/photos/{photo_id}": owner(
        lambda w: {"item_id": w.item.pk, "photo_id": NOBODY}, rightful=None
    ),
    "POST /api/v1/lending/reservations/{reservation_id}/condition-photos": owner(
        _reservation, body=_photo(stage="checkout"), multipart=True, rightful="bob"
    ),
    "GET /api/v1/lending/condition-photos/{photo_id}": owner(
        lambda w: {"photo_id": NOBODY}, rightful=None
    ),
    "POST /api/v1/lending/items/{item_id}/repair": owner(
        _item, body=lambda w: {"out_for_repair": True}
    ),
    "POST /api/v1/lending/items/{item_id}/safety-check": owner(_item),
    "POST /api/v1/lending/reservations/{reservation_id}/deposit": owner(
        _reservation, rightful="bob"
    ),
    # Stays
    "GET /api/v1/stays/listings": MEMBER,
    "POST /api/v1/stays/listings": member(body=_listing_body),
    "PUT /api/v1/stays/listings/{listing_id}": owner(_listing, body=_listing_body),
    "GET /api/v1/stays/listings/{listing_id}": member(path=_listing),
    "GET /api/v1/stays/listings/{listing_id}/quote": member(
        path=_listing,
        query=lambda w: {"check_in": soon(20).isoformat(), "check_out": soon(22).isoformat()},
    ),
    "POST /api/v1/stays/listings/{listing_id}/status": owner(
        _listing, body=lambda w: {"status": "paused"}
    ),
    # The iCal feed is for the host's calendar apps: its secret token, not a session, opens it.
    "GET /api/v1/stays/listings/{listing_id}/calendar.ics": Rule(
        Access.OWNER, path=_listing, rightful=None, anonymous=frozenset({404})
    ),
    "POST /api/v1/stays/listings/{listing_id}/bookings": member(
        path=_listing,
        body=lambda w: {
            "check_in": soon(20).isoformat(),
            "check_out": soon(22).isoformat(),
            "guests": 2,
            "community_project": w.approved_project.pk,
        },
    ),
    "GET /api/v1/stays/bookings": MEMBER,
    "GET /api/v1/stays/bookings/{booking_id}": owner(_stay),
    "POST /api/v1/stays/bookings/{booking_id}/accept": owner(_stay),
    "POST /api/v1/stays/bookings/{booking_id}/decline": owner(_stay),
    "POST /api/v1/stays/bookings/{booking_id}/cancel": owner(_stay, rightful="bob"),
    "POST /api/v1/stays/bookings/{booking_id}/reviews": owner(
        _stay, body=lambda w: {"rating": 5, "text": "Lovely."}, rightful="bob"
    ),
    "GET /api/v1/stays/listings/{listing_id}/blocks": owner(_listing),
    "POST /api/v1/stays/listings/{listing_id}/blocks": owner(
        _listing, body=lambda w: {"start": soon(40).isoformat(), "end": soon(42).isoformat()}
    ),
    "POST /api/v1/stays/listings/{listing_id}/calendars": owner(
        _listing,
        body=lambda w: {"url": "https://calendar.example.org/home.ics"},
        rightful=None,  # importing fetches the URL: stays' tests cover it
    ),
    "POST /api/v1/stays/listings/{listing_id}/photos": owner(
        _listing, body=_photo(alt_text="The living room"), multipart=True
    ),
    "POST /api/v1/stays/listings/{listing_id}/photos/{photo_id}/position": owner(
        lambda w: {"listing_id": w.listing.pk, "photo_id": NOBODY},
        body=lambda w: {"position": 0},
        rightful=None,
    ),
    "DELETE /api/v1/stays/listings/{listing_id}/photos/{photo_id}": owner(
        lambda w: {"listing_id": w.listing.pk, "photo_id": NOBODY}, rightful=None
    ),
    "GET /api/v1/stays/projects": MEMBER,
    "GET /api/v1/stays/home": MEMBER,
    "PUT /api/v1/stays/home": member(
        body=lambda w: {
            "address": "Carrer de Mallorca 1",
            "location": {"lat": 41.392, "lng": 2.165},
            "licence_number": "HUTB-012345",
        }
    ),
    "GET /api/v1/stays/guests/{guest_id}/reviews": owner(
        lambda w: {"guest_id": w.bob.pk}, rightful="bob"
    ),
    "GET /api/v1/stays/board/refunds": BOARD,
    "POST /api/v1/stays/board/refunds/{refund_id}/retry": board(
        lambda w: {"refund_id": NOBODY}, rightful=None
    ),
    "GET /api/v1/stays/zones": MEMBER,
    "POST /api/v1/stays/zones": board(
        body=lambda w: {
            "name": "Nowhere",
            "polygon": [[41.0, 2.0], [41.0, 2.01], [41.01, 2.01], [41.0, 2.0]],
        }
    ),
    "GET /api/v1/stays/zones/{zone_id}": member(path=lambda w: {"zone_id": w.listing.home.zone_id}),
    "PUT /api/v1/stays/zones/{zone_id}": board(
        lambda w: {"zone_id": w.listing.home.zone_id},
        body=lambda w: {
            "name": "Eixample",
            "polygon": [[41.0, 2.0], [41.0, 2.01], [41.01, 2.01], [41.0, 2.0]],
        },
        rightful=None,  # moving the district's outline would orphan alice's listing
    ),
    # Rides
    "GET /api/v1/rides/offers": MEMBER,
    "POST /api/v1/rides/offers": member(
        body=lambda w: {
            "origin": _place(41.3851, 2.1130, "Zona Universitària"),
            "destination": _place(41.4064, 2.1968, "Poblenou"),
            "departs_at": _in_days(2),
            "seats": 2,
        }
    ),
    "GET /api/v1/rides/offers/quote": member(
        query=lambda w: {"origin": "41.3851,2.1130", "destination": "41.4064,2.1968"}
    ),
    "GET /api/v1/rides/offers/{offer_id}": member(path=_offer),
    "POST /api/v1/rides/offers/{offer_id}/status": owner(
        _offer, body=lambda w: {"status": "cancelled"}
    ),
    "GET /api/v1/rides/matches": member(
        query=lambda w: {"origin": "41.3887,2.1290", "destination": "41.4036,2.1874"}
    ),
    "POST /api/v1/rides/offers/{offer_id}/bookings": member(
        path=_offer,
        body=lambda w: {
            "seats": 1,
            "pickup": {"lat": w.offer.origin.lat, "lng": w.offer.origin.lng},
            "dropoff": {"lat": w.offer.destination.lat, "lng": w.offer.destination.lng},
        },
    ),
    "GET /api/v1/rides/offers/{offer_id}/bookings": owner(_offer),
    "GET /api/v1/rides/bookings": MEMBER,
    "GET /api/v1/rides/bookings/{booking_id}": owner(_ride),
    "POST /api/v1/rides/bookings/{booking_id}/accept": owner(_ride),
    "POST /api/v1/rides/bookings/{booking_id}/decline": owner(_ride),
    "POST /api/v1/rides/bookings/{booking_id}/cancel": owner(_ride, rightful="bob"),
    "POST /api/v1/rides/bookings/{booking_id}/complete": owner(
        _ride, body=lambda w: {"code": "0000"}
    ),
    "GET /api/v1/rides/offers/{offer_id}/messages": owner(_offer),
    "POST /api/v1/rides/offers/{offer_id}/messages": owner(
        _offer, body=lambda w: {"body": "On my way."}
    ),
    "GET /api/v1/rides/alerts": MEMBER,
    "POST /api/v1/rides/alerts": member(
        body=lambda w: {
            "origin": {"lat": 41.3851, "lng": 2.1130},
            "destination": {"lat": 41.4064, "lng": 2.1968},
        }
    ),
    "DELETE /api/v1/rides/alerts/{alert_id}": owner(lambda w: {"alert_id": w.alert.pk}),
    "POST /api/v1/rides/commutes": member(
        body=lambda w: {
            "origin": _place(41.3851, 2.1130, "Zona Universitària"),
            "destination": _place(41.4064, 2.1968, "Poblenou"),
            "weekdays": [0, 1, 2, 3, 4],
            "departure_time": "08:00",
            "until": soon(14).isoformat(),
            "seats": 2,
        }
    ),
    "GET /api/v1/rides/co2": MEMBER,
    "GET /api/v1/rides/pools": Rule(
        Access.BOARD,
        query=lambda w: {"depart_after": "07:00", "depart_before": "09:00"},
        rightful="board",
    ),
    "POST /api/v1/rides/pools/bookings": board(
        body=lambda w: {"depart_after": "07:00", "depart_before": "09:00"}
    ),
    # City data commons: a city client's bearer token, never a member's session
    "GET /api/v1/city/datasets": CITY,
    "GET /api/v1/city/datasets/{slug}": Rule(
        Access.CITY, path=lambda w: {"slug": "timebank-hours"}, rightful=None
    ),
    "GET /api/v1/city/webhooks": CITY,
    "POST /api/v1/city/webhooks": CITY,
    # Community fund
    "GET /api/v1/community/projects": PUBLIC,
    "POST /api/v1/community/projects": member(
        body=lambda w: {"name": "Bike racks", "description": "Ten.", "amount_cents": 80000}
    ),
    "GET /api/v1/community/projects/pending": BOARD,
    "GET /api/v1/community/projects/{slug}": Rule(
        Access.PUBLIC,
        path=lambda w: {"slug": w.approved_project.slug},
        rightful=None,
        anonymous=frozenset({200}),
    ),
    "POST /api/v1/community/projects/{slug}/approve": board(
        lambda w: {"slug": w.project.slug},
        body=lambda w: {"ballot": w.ballot.pk},
    ),
    "POST /api/v1/community/projects/{slug}/reject": board(
        lambda w: {"slug": w.project.slug}, body=lambda w: {"reason": "Out of scope."}
    ),
    "POST /api/v1/community/projects/{slug}/gifts": member(
        path=lambda w: {"slug": w.approved_project.slug}, body=lambda w: {"amount_cents": 500}
    ),
    "POST /api/v1/community/projects/{slug}/spends": board(
        lambda w: {"slug": w.approved_project.slug},
        body=lambda w: {
            "amount_cents": 100,
            "payee": "Hardware shop",
            "purpose": "Seeds",
            "spent_on": soon(-1).isoformat(),
            "reference": "INV-1",
        },
    ),
}


def api_operations() -> set[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_api_operation_is_in_the_matrix() -> None:
    operations = api_operations()

    assert sorted(operations - MATRIX.keys()) == [], "add these operations to MATRIX"
    assert sorted(MATRIX.keys() - operations) == [], "these operations no longer exist"


def call(client: Client, key: str, rule: Rule, world: World) -> Any:
    """One request, rolled back afterwards so that every entry meets the same world."""
    method, template = key.split(" ", 1)
    path = template.format(**rule.path(world))
    body = rule.body(world) if rule.body is not None else None
    query = rule.query(world)
    if query:
        path += "?" + urlencode(query)
    # Leaving the co-op (DELETE /me) signs the caller out; the next entry needs them back.
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if rule.multipart:
            response = client.post(path, body)
        else:
            response = client.generic(
                method,
                path,
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
            )
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def mismatch(key: str, response: Any, expected: str) -> str:
    return f"{key}: {response.status_code} (expected {expected}) {response.content[:200]!r}"


def test_outsiders_are_refused(world: World, client: Client) -> None:
    problems = []
    for key, rule in MATRIX.items():
        response = call(client, key, rule, world)
        if response.status_code not in rule.anonymous:
            problems.append(mismatch(key, response, f"one of {sorted(rule.anonymous)}"))
        elif response.status_code >= 400 and "error" not in response.json():
            problems.append(mismatch(key, response, "the error format"))

    assert not problems, "\n".join(problems)


# A board action on a thing charlie may not even see can answer 404 before it says 403.
REFUSALS = {
    Access.OWNER: {403, 404},
    Access.BOARD: {403, 404},
    Access.CITY: {401},
    Access.STRIPE: {400, 503},
}


def test_an_ordinary_member_is_refused_what_is_not_theirs(
    world: World, charlie_client: Client
) -> None:
    problems = []
    for key, rule in MATRIX.items():
        response = call(charlie_client, key, rule, world)
        refusals = REFUSALS.get(rule.access)
        if refusals is None:
            if response.status_code in {401, 403} or response.status_code >= 500:
                problems.append(mismatch(key, response, "not refused"))
        elif response.status_code not in refusals:
            problems.append(mismatch(key, response, f"one of {sorted(refusals)}"))

    assert not problems, "\n".join(problems)


def test_the_rightful_caller_is_not_refused(world: World, settings: Any) -> None:
    # The board's second factor is tested in governance; here only the role matters.
    settings.BOARD_MFA_REQUIRED = False
    clients: dict[str, Client] = {}
    for name, user in {
        "alice": world.alice,
        "bob": world.bob,
        "board": world.board,
        "assignee": world.chore.assignee,
    }.items():
        clients[name] = Client()
        assert user is not None
        clients[name].force_login(user)
    problems = []
    for key, rule in MATRIX.items():
        if rule.rightful is None:
            continue
        response = call(clients[rule.rightful], key, rule, world)
        if response.status_code in {401, 403, 404} or response.status_code >= 500:
            problems.append(mismatch(key, response, f"{rule.rightful} not refused"))

    assert not problems, "\n".join(problems)
