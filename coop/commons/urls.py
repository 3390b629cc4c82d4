from __future__ import annotations

from django.urls import path

from coop.commons import views

app_name = "commons"
urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
]
