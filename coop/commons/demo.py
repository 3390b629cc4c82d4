"""Demo city data commons: the city council as a data client with a webhook endpoint, and the
demo members' consents, so the optional datasets have people in them."""

from __future__ import annotations

from coop.commons.models import CityClient, Consent, EventKind, Purpose, WebhookEndpoint
from coop.commons.services import city_client_create, webhook_endpoint_register
from coop.demo.registry import DemoContext

CITY_CLIENT_NAME = "Ajuntament de Barcelona (demo)"
# The discard port of this same machine: nothing leaves the laptop. Deliveries fail at once, so
# the delivery log shows the signed attempts and their retries with backoff.
CITY_WEBHOOK_URL = "http://127.0.0.1:9/city/coop-events"
# Most members share their data with the city for planning; some say no to a purpose or two.
CONSENT_RATE = 0.7


def seed(context: DemoContext) -> None:
    client = CityClient.objects.filter(name=CITY_CLIENT_NAME).first()
    if client is None:
        client, token = city_client_create(name=CITY_CLIENT_NAME)
        context.write(f"commons: city data client {CITY_CLIENT_NAME!r}, token (shown once):")
        context.write(f"  {token}")
    if not WebhookEndpoint.objects.filter(client=client, url=CITY_WEBHOOK_URL).exists():
        webhook_endpoint_register(client=client, url=CITY_WEBHOOK_URL, events=EventKind.values)
    granted = created = 0
    for member in context.members:
        for purpose in Purpose:
            # Drawn for every member on every run, so the choices never depend on what exists.
            choice = context.random.random() < CONSENT_RATE
            consent, new = Consent.objects.get_or_create(
                member=member, purpose=purpose, defaults={"granted": choice}
            )
            granted += consent.granted
            created += new
    context.write(f"commons: 1 city client, {granted} consents given ({created} new choices)")
