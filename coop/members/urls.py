from __future__ import annotations

from django.urls import path

from coop.members import views

app_name = "members"
urlpatterns = [
    path("me/", views.profile_edit, name="profile_edit"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/export/", views.my_data_export, name="my_data_export"),
    path("<int:pk>/", views.detail, name="detail"),
]
