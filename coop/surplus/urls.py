from __future__ import annotations

from django.urls import path

from coop.surplus import views

app_name = "surplus"
urlpatterns = [
    path("", views.statement, name="statement"),
    path("<int:year>/choice/", views.choice, name="choice"),
    path("board/", views.board, name="board"),
    path("board/simulate/", views.board_simulate, name="simulate"),
    path("board/<int:year>/approve/", views.board_approve, name="approve"),
    path("board/<int:year>/pay/", views.board_pay, name="pay"),
]
