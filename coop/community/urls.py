from __future__ import annotations

from django.urls import path

from coop.community import views

app_name = "community"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("propose/", views.project_propose, name="propose"),
    path("review/", views.board_review, name="review"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/give/", views.gift_start, name="give"),
    path("<slug:slug>/spend/", views.project_spend, name="spend"),
    path("<slug:slug>/<str:decision>/", views.board_decide, name="decide"),
]
