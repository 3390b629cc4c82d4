from __future__ import annotations

from django.urls import path

from stays import views

app_name = "stays"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("listings/new/", views.listing_new, name="listing_new"),
    path("listings/<int:pk>/", views.listing_detail, name="listing"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/review/", views.booking_review, name="booking_review"),
    path("bookings/<int:pk>/<str:action>/", views.booking_action, name="booking_action"),
    path("host/", views.host, name="host"),
    path("host/home/", views.home_edit, name="home_edit"),
    path("host/listings/<int:pk>/photos/", views.host_photo_add, name="host_photo_add"),
    path(
        "host/listings/<int:pk>/photos/<int:photo_pk>/<str:action>/",
        views.host_photo_action,
        name="host_photo_action",
    ),
    path("trips/", views.trips, name="trips"),
    path("board/refunds/", views.board_refunds, name="board_refunds"),
    path("board/refunds/<int:pk>/retry/", views.board_refund_retry, name="board_refund_retry"),
    path("board/zones/", views.board_zones, name="board_zones"),
    path("board/zones/new/", views.board_zone_edit, name="board_zone_new"),
    path("board/zones/<int:pk>/", views.board_zone_edit, name="board_zone_edit"),
    path(
        "host/listings/<int:pk>/<str:action>/",
        views.host_listing_action,
        name="host_listing_action",
    ),
]
