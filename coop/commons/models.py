"""City data commons: the city's API clients, their reads, members' consents and the webhook outbox.

Tokens and webhook secrets differ on purpose: a client token is only ever compared, so we keep its
SHA-256 hash; a webhook secret must sign every delivery, so it is stored as is and shown to the
city once when the endpoint is registered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CityClient(models.Model):
    name = models.CharField(max_length=120, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so an operator can tell tokens apart without the secret.
    token_prefix = models.CharField(max_length=8)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DataFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"
    GEOJSON = "geojson", "GeoJSON"


class DatasetRead(models.Model):
    """Append-only log: which client read which dataset, for which month, in which format, when."""

    client = models.ForeignKey(CityClient, on_delete=models.PROTECT, related_name="reads")
    dataset = models.CharField(max_length=60)
    period = models.CharField(max_length=7)
    format = models.CharField(max_length=10, choices=DataFormat.choices)
    rows = models.PositiveIntegerField()
    read_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-read_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client_id} read {self.dataset} {self.period}"


class Purpose(models.TextChoices):
    """Optional uses of a member's data; the legal stays report is not one (the law requires it)."""

    STAYS_ZONES = "stays_zones", "Nights hosted, counted per city zone"
    RIDES = "rides", "Shared rides: flows between areas and CO2 saved"
    LENDING = "lending", "Loans of things, counted per category and area"
    TIMEBANK = "timebank", "Timebank hours, counted per category and area"


class Consent(models.Model):
    """A member's yes or no for one purpose. No row means no: consent is never assumed."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commons_consents"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "purpose"], name="commons_consent_once_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.purpose}={self.granted}"


class EventKind(models.TextChoices):
    LISTING_IN_REGULATED_ZONE = "listing.regulated_zone", "A new listing in a regulated zone"
    LISTING_NIGHT_CAP = "listing.night_cap_reached", "A listing reached its night cap"
    MONTHLY_REPORT_READY = "report.monthly_ready", "The monthly report is ready"


class WebhookEndpoint(models.Model):
    client = models.ForeignKey(CityClient, on_delete=models.CASCADE, related_name="endpoints")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64)
    events = models.JSONField(default=list, help_text="Event kinds this endpoint receives.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Gave up"


class WebhookDelivery(models.Model):
    """The outbox: one event for one endpoint, sent by a task, retried with backoff."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=EventKind.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="commons_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """The delivery log: every try, with what the endpoint answered."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.status_code or self.error}"


class MonthlyReport(models.Model):
    """Marks a month whose report-ready event has been published, so it is announced once."""

    period = models.CharField(max_length=7, unique=True)
    announced_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.period
