from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator

import pytest
from django.test import Client

from coop.exceptions import InvalidInput
from coop.members.models import User
from stays import ical, services, tasks
from stays.models import BlockedRange, ExternalCalendar, Listing

FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other platform//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART;VALUE=DATE:20300105\r\nDTEND;VALUE=DATE:20300108\r\n"
    "SUMMARY:Reserved\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b@x\r\nDTSTART:20300201T140000Z\r\nSUMMARY:One night,\r\n  folded\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_feed_events_become_night_ranges() -> None:
    assert ical.parse_ranges(FEED) == [
        (dt.date(2030, 1, 5), dt.date(2030, 1, 8)),
        (dt.date(2030, 2, 1), dt.date(2030, 2, 2)),
    ]


@pytest.mark.parametrize(
    "text",
    ["hello", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2030XX01\nEND:VEVENT\nEND:VCALENDAR"],
)
def test_a_broken_feed_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        ical.parse_ranges(text)


def test_the_export_is_rfc5545_with_crlf_and_folded_lines() -> None:
    event = ical.CalendarEvent("x", dt.date(2030, 1, 1), dt.date(2030, 1, 3), "Booked " * 20)
    text = ical.calendar_text(
        name="Flat", events=[event], stamp=dt.datetime(2030, 1, 1, tzinfo=dt.UTC), domain="d"
    )

    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART;VALUE=DATE:20300101\r\nDTEND;VALUE=DATE:20300103\r\n" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert ical.parse_ranges(text) == [(dt.date(2030, 1, 1), dt.date(2030, 1, 3))]


def test_importing_a_feed_replaces_that_calendars_blocked_nights(listing: Listing) -> None:
    calendar = ExternalCalendar.objects.create(listing=listing, url="https://example.com/c.ics")
    services.calendar_import_text(calendar=calendar, text=FEED)
    services.calendar_import_text(calendar=calendar, text=FEED)

    assert BlockedRange.objects.filter(calendar=calendar, source="external").count() == 2


@pytest.fixture
def feed_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = FEED.encode()
            self.send_response(200 if self.path == "/feed.ics" else 404)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_periodic_task_refreshes_feeds_and_notes_failures(
    listing: Listing, feed_server: str
) -> None:
    good = ExternalCalendar.objects.create(listing=listing, url=f"{feed_server}/feed.ics")
    bad = ExternalCalendar.objects.create(listing=listing, url=f"{feed_server}/missing.ics")

    assert tasks.stays_refresh_calendars.call() == 1

    assert good.blocks.count() == 2
    bad.refresh_from_db()
    assert "404" in bad.last_error


def test_the_host_and_token_holders_read_the_calendar_feed(
    listing: Listing, alice_client: Client, bob_client: Client, alice: User
) -> None:
    services.block_create(
        host=alice, listing=listing, start=dt.date(2031, 1, 1), end=dt.date(2031, 1, 4)
    )
    url = f"/api/v1/stays/listings/{listing.pk}/calendar.ics"

    own = alice_client.get(url)
    assert own.status_code == 200
    assert own["Content-Type"].startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20310101" in own.content.decode()
    assert bob_client.get(url).status_code == 404
    assert Client().get(f"{url}?token={listing.ical_token}").status_code == 200
    assert Client().get(f"{url}?token=wrong").status_code == 404
