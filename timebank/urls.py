from __future__ import annotations

from django.urls import path

from timebank import views

app_name = "timebank"
urlpatterns = [
    path("", views.index, name="index"),
    path("about/", views.about, name="about"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/close/", views.post_close, name="post_close"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("exchanges/", views.exchanges, name="exchanges"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("exchanges/<int:pk>/<slug:action>/", views.exchange_action, name="exchange_action"),
    path("send/", views.transfer_new, name="transfer"),
    path("history/", views.history, name="history"),
    path("history/export.<str:fmt>", views.history_export, name="history_export"),
    path("members/<int:pk>/", views.profile, name="profile"),
    path("chores/", views.chores, name="chores"),
    path("chores/<int:pk>/<slug:action>/", views.chore_action, name="chore_action"),
    path("board/", views.board, name="board"),
    path("board/export.<str:fmt>", views.board_export, name="board_export"),
]
