from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from coop.api import api, api_not_found
from coop.health import healthz
from coop.images.views import image_public

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("media/<path:name>", image_public, name="image_public"),
    path("api/v1/", api.urls),
    # DOTALL: a path with an encoded newline is still an API path, answered in JSON.
    re_path(r"^api/v1/(?P<rest>(?s:.*))$", api_not_found),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("members/", include("coop.members.urls")),
    path("notifications/", include("coop.notifications.urls")),
    path("money/", include("coop.money.urls")),
    path("surplus/", include("coop.surplus.urls")),
    path("lending/", include("lending.urls")),
    path("stays/", include("stays.urls")),
    path("rides/", include("rides.urls")),
    path("timebank/", include("timebank.urls")),
    path("governance/", include("governance.urls")),
    path("community/", include("coop.community.urls")),
    path("commons/", include("coop.commons.urls")),
    path("", include("frontend.urls")),
]
