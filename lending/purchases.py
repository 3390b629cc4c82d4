"""The collective purchase trigger: a published algorithm.

For a category, take the open wanted posts of the last `lending.wanted_window_days` days that
no purchase has answered yet. Around each post, count the different members whose posts lie
within `lending.wanted_radius_km`. If the best-supported post reaches
`lending.wanted_threshold_members` members, the co-op is prompted to buy one for the common
store at that post's place, and those members are told. Ties go to the oldest post.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coop.algorithms import algorithm_register
from coop.geo.points import Point, distance_km
from governance.parameters import parameter_value
from lending.models import CollectivePurchase, Wanted

TRIGGER = algorithm_register(
    slug="lending.collective_purchase",
    name="Collective purchase trigger",
    version="1",
    description=(
        "Counts the different members whose open wanted posts of one category, from the last "
        "window of days, lie within a radius of each post; when the best-supported post reaches "
        "the threshold, the co-op is prompted to buy one for the common store."
    ),
    parameter_keys=(
        "lending.wanted_threshold_members",
        "lending.wanted_radius_km",
        "lending.wanted_window_days",
    ),
)


def collective_purchase_check(*, category: str) -> CollectivePurchase | None:
    from lending.services import collective_purchase_open  # noqa: PLC0415 - services import us

    since = timezone.now() - timedelta(days=parameter_value("lending.wanted_window_days"))
    radius = float(parameter_value("lending.wanted_radius_km"))
    threshold = parameter_value("lending.wanted_threshold_members")
    wants = list(
        Wanted.objects.filter(
            category=category, is_open=True, purchase__isnull=True, created_at__gte=since
        ).order_by("created_at", "pk")
    )
    best: list[Wanted] = []
    best_center: Point | None = None
    for seed in wants:
        center = Point(seed.lat, seed.lng)
        near = [w for w in wants if distance_km(center, Point(w.lat, w.lng)) <= radius]
        if len({w.member_id for w in near}) > len({w.member_id for w in best}):
            best, best_center = near, center
    if best_center is None or len({w.member_id for w in best}) < threshold:
        return None
    return collective_purchase_open(category=category, center=best_center, wants=best)
