from __future__ import annotations

from django.http import HttpResponse
from django.urls import path


def home(request):  # replaced by the frontend work
    return HttpResponse("home")


urlpatterns = [path("", home, name="home")]
