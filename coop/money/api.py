from __future__ import annotations

from ninja import Router

# `/api/v1/coop/...`: ledgers and statements; `/api/v1/payments/...`: Stripe.
coop_router = Router(tags=["co-op money"])
payments_router = Router(tags=["payments"])
