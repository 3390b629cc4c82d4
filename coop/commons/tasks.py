"""Background work of the city data commons: webhook sending and the monthly announcement."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from coop.commons import services
from coop.scheduler.registry import periodic


@periodic(every=timedelta(minutes=1))
@task()
def commons_webhooks_send() -> int:
    """Send due webhook deliveries (new ones, and retries whose backoff has passed)."""
    return services.webhook_deliveries_send()


@periodic(every=timedelta(hours=1))
@task()
def commons_monthly_report_announce() -> bool:
    """Once a month has ended, tell the city's endpoints that its report can be read."""
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return services.monthly_report_announce(period=last_month.strftime("%Y-%m"))
