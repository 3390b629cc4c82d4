from __future__ import annotations

from django.urls import path

from coop.money import views

app_name = "money"
urlpatterns = [
    path("", views.statement, name="statement"),
    path("share/", views.share, name="share"),
    path("share/leave/", views.share_leave, name="share_leave"),
    path("board/", views.board, name="board"),
    path(
        "board/share-refunds/<int:request_id>/approve/",
        views.board_share_refund_approve,
        name="share_refund_approve",
    ),
]
