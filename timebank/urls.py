from __future__ import annotations

from django.urls import path

from timebank import views

app_name = "timebank"
urlpatterns = [path("", views.index, name="index")]
