from __future__ import annotations

from django.urls import path

from coop.members import views

app_name = "members"
urlpatterns = [
    path("me/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/", views.detail, name="detail"),
]
