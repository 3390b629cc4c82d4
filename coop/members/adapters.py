from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

from coop.members.tasks import email_deliver


class AccountAdapter(DefaultAccountAdapter):
    """allauth, with its emails delivered by a background task after the request commits."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = None
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (str(body) for body, mime in message.alternatives if mime == "text/html"), None
            )
        payload = _serialise(message, html)
        transaction.on_commit(lambda: email_deliver.enqueue(**payload))


def _serialise(message: EmailMessage, html: str | None) -> dict[str, Any]:
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(address) for address in message.to],
        "html": html,
    }
