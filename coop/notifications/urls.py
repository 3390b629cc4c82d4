from __future__ import annotations

from django.urls import path

from coop.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("<int:notification_id>/read/", views.notification_mark_read, name="mark_read"),
]
