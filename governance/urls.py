from __future__ import annotations

from django.urls import path

from governance import views

app_name = "governance"
urlpatterns = [path("", views.index, name="index")]
