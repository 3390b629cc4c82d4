from __future__ import annotations

from django.urls import path

from stays import views

app_name = "stays"
urlpatterns = [path("", views.index, name="index")]
