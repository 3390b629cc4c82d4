from __future__ import annotations

from django.urls import path

from lending import views

app_name = "lending"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/photos/", views.item_photos, name="item_photos"),
    path("items/<int:pk>/maintenance/", views.item_maintenance, name="item_maintenance"),
    path("items/<int:pk>/hold/", views.hold_join, name="hold_join"),
    path("mine/", views.my_items, name="my_items"),
    path("loans/", views.my_loans, name="my_loans"),
    path("loans/<int:pk>/", views.loan, name="loan"),
    path("wanted/", views.wanted, name="wanted"),
]
