from __future__ import annotations

from django.urls import path

from rides import views

app_name = "rides"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("alerts/", views.alert_new, name="alert_new"),
    path("offer/", views.offer_new, name="offer_new"),
    path("commute/", views.commute_new, name="commute_new"),
    path("mine/", views.mine, name="mine"),
    path("pools/", views.pools, name="pools"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/book/", views.offer_book, name="offer_book"),
    path("offers/<int:pk>/status/", views.offer_status, name="offer_status"),
    path("offers/<int:pk>/messages/", views.offer_message, name="offer_message"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
]
