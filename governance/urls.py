from __future__ import annotations

from django.urls import path

from governance import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/sponsor/", views.proposal_sponsor, name="proposal_sponsor"),
    path("proposals/<int:pk>/comment/", views.proposal_comment, name="proposal_comment"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot_detail"),
    path("ballots/<int:pk>/proxy/", views.ballot_proxy, name="ballot_proxy"),
    path("ballots/<int:pk>/result/", views.ballot_result, name="ballot_result"),
    path("board/", views.board_desk, name="board"),
    path("board/ballots/<int:pk>/publish/", views.board_publish, name="board_publish"),
]
