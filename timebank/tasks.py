"""Background work of the timebank: automatic confirmation and the weekly digest."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from coop.members.models import MembershipStatus, User
from coop.members.tasks import email_deliver
from coop.scheduler.registry import periodic
from governance.parameters import parameter_value
from timebank import selectors, services

DIGEST_MAX_POSTS = 20


@periodic(every=timedelta(hours=1))
@task()
def timebank_auto_confirm() -> int:
    """Confirm completed exchanges nobody confirmed or disputed within the set days."""
    return services.exchange_auto_confirm_due()


@periodic(every=timedelta(days=7))
@task()
def timebank_weekly_digest() -> int:
    """Email each opted-in member with a home the new posts near it from the last 7 days.

    Each email is its own task, so one bad address never stops the others. Returns how many
    emails were queued.
    """
    since = timezone.now() - timedelta(days=7)
    radius = parameter_value("timebank.digest_radius_km")
    recent = selectors.post_list().filter(created_at__gte=since)
    # Members without a time account yet have not opted out: the digest is on by default.
    members = User.objects.filter(
        is_active=True, membership_status=MembershipStatus.MEMBER, home_lat__isnull=False
    ).exclude(time_account__weekly_digest=False)
    sent = 0
    for member in members.iterator():
        home = member.home
        if home is None:
            continue
        hits = [
            hit
            for hit in selectors.post_list_near(recent, center=home, radius_km=radius)
            if hit.obj.author_id != member.pk
        ][:DIGEST_MAX_POSTS]
        if not hits:
            continue
        body = render_to_string(
            "timebank/email/digest.txt",
            {
                "member": member,
                "hits": hits,
                "radius_km": radius,
                "site_url": settings.TIMEBANK_SITE_URL,
            },
        )
        email_deliver.enqueue(
            subject=f"{len(hits)} new timebank posts near you",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[member.email],
        )
        sent += 1
    return sent
