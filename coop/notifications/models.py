"""A notification: one line of news for one member ("Bob approved your reservation")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

KIND_MAX_LENGTH = 64
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 2000
URL_MAX_LENGTH = 500


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # A dotted slug naming the event, `<app>.<event>`, that clients may switch on.
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(blank=True, max_length=BODY_MAX_LENGTH)
    # A path on this site ("/lending/reservations/12/"), never an absolute or off-site URL.
    url = models.CharField(max_length=URL_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Index names are capped at 30 characters by Django, hence "notif".
        indexes = [
            # The unread badge counts `recipient = ? AND read_at IS NULL` on every page.
            models.Index(fields=["recipient", "read_at"], name="notifications_notif_unread_idx"),
            models.Index(
                "recipient", models.F("created_at").desc(), name="notifications_notif_list_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=""), name="notifications_notification_kind_not_empty"
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""), name="notifications_notification_title_not_empty"
            ),
            # "//evil.example" and "/\evil.example" are off-site links in browsers.
            models.CheckConstraint(
                condition=models.Q(url="")
                | (
                    models.Q(url__startswith="/")
                    & ~models.Q(url__startswith="//")
                    & ~models.Q(url__startswith="/\\")
                ),
                name="notifications_notification_url_relative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
