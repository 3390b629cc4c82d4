from __future__ import annotations

from django.urls import path

from lending import views

app_name = "lending"
urlpatterns = [path("", views.index, name="index")]
