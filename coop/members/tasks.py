from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def email_deliver(
    *, subject: str, body: str, from_email: str, to: list[str], html: str | None = None
) -> None:
    """Send one email. Runs in the worker so a slow mail server never slows a page."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
