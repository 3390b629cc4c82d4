"""HTML pages of the timebank service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontend.catalogue import service_page_context


def index(request: HttpRequest) -> HttpResponse:
    """What the service is, how it works and the fairness rules it follows. Public."""
    return render(request, "timebank/index.html", service_page_context("timebank"))
