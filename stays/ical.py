"""iCalendar (RFC 5545) for stays: export a listing's taken nights, read other platforms' feeds.

Written by hand: the export is a handful of all-day VEVENTs, and the import needs only each
event's DTSTART and DTEND dates (the way Airbnb, Booking.com and Vrbo publish availability).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from coop.exceptions import InvalidInput

MAX_EVENTS = 2000
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str
    start: dt.date
    end: dt.date
    summary: str


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return [line]
    parts: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return [parts[0]] + [" " + part for part in parts[1:]]


def calendar_text(
    *, name: str, events: Iterable[CalendarEvent], stamp: dt.datetime, domain: str
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sharing Co-op//Stays//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    stamp_text = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{domain}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.end:%Y%m%d}",
            f"SUMMARY:{_escape(event.summary)}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.startswith((" ", "\t")) and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _parse_date(value: str, name: str) -> dt.date:
    match = _DATE.match(value.strip())
    if match is None:
        raise InvalidInput(f"The calendar has an event with a bad {name}: {value[:40]!r}.")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidInput(f"The calendar has an event with a bad {name}.") from None


def parse_ranges(text: str) -> list[tuple[dt.date, dt.date]]:
    """The [start, end) night ranges of the feed's VEVENTs. A date-time start counts its day; an
    event without DTEND takes one night (RFC 5545 3.6.1 for all-day events)."""
    lines = _unfold(text)
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise InvalidInput("That is not an iCalendar feed (no BEGIN:VCALENDAR).")
    ranges: list[tuple[dt.date, dt.date]] = []
    start: dt.date | None = None
    end: dt.date | None = None
    in_event = False
    for line in lines:
        name, _, value = line.partition(":")
        key = name.split(";", 1)[0].strip().upper()
        if key == "BEGIN" and value.strip().upper() == "VEVENT":
            in_event, start, end = True, None, None
        elif key == "END" and value.strip().upper() == "VEVENT":
            if start is not None:
                last = end if end is not None and end > start else start + dt.timedelta(days=1)
                ranges.append((start, last))
            in_event = False
            if len(ranges) > MAX_EVENTS:
                raise InvalidInput(f"The calendar has more than {MAX_EVENTS} events.")
        elif in_event and key == "DTSTART":
            start = _parse_date(value, "start")
        elif in_event and key == "DTEND":
            end = _parse_date(value, "end")
    return ranges
