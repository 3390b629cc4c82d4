"""Background work of stays: expiring holds, paying hosts, publishing reviews, calendar feeds."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

from django_tasks import task

from coop.exceptions import DomainError
from coop.scheduler.registry import periodic
from stays import services
from stays.models import ExternalCalendar
from stays.services.refunds import booking_refunds_retry

FETCH_TIMEOUT_SECONDS = 10
MAX_FEED_BYTES = 2_000_000


@periodic(every=timedelta(minutes=5))
@task()
def stays_expire_holds() -> int:
    """Unanswered requests (48 h) and unpaid bookings release their nights."""
    return services.bookings_expire()


@periodic(every=timedelta(hours=1))
@task()
def stays_pay_hosts() -> int:
    """Hosts are paid their share once the guest has checked in."""
    return services.bookings_pay_hosts()


@periodic(every=timedelta(minutes=5))
@task()
def stays_retry_refunds() -> int:
    """Refunds Stripe refused are sent again when their backoff is over (see refunds.py)."""
    return booking_refunds_retry()


@periodic(every=timedelta(hours=6))
@task()
def stays_publish_reviews() -> int:
    return services.reviews_publish_due()


def fetch_feed(url: str) -> str:
    """Fetch an external iCal feed (a side effect: only ever called from the task)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("Only http(s) feeds are fetched.")
    request = urllib.request.Request(url, headers={"User-Agent": "coop-stays-calendar/1"})  # noqa: S310 - scheme checked above
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
        data: bytes = response.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise ValueError("The feed is too large.")
    return data.decode("utf-8", errors="replace")


@periodic(every=timedelta(hours=1))
@task()
def stays_refresh_calendars() -> int:
    """Re-import every external calendar; a feed that fails keeps its last nights."""
    refreshed = 0
    for calendar in ExternalCalendar.objects.all():
        try:
            text = fetch_feed(calendar.url)
            services.calendar_import_text(calendar=calendar, text=text)
        except (OSError, ValueError, DomainError) as error:
            services.calendar_mark_failed(calendar=calendar, error=str(error))
            continue
        refreshed += 1
    return refreshed
