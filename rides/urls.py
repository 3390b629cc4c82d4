from __future__ import annotations

from django.urls import path

from rides import views

app_name = "rides"
urlpatterns = [path("", views.index, name="index")]
