"""List pagination for the API: `{"results": [...], "next": <url or null>}` with `page_size`.

Usage on a list endpoint: `@paginate(PageNumberPagination)` with `response=list[ItemOut]`.
We fetch one row more than the page to know whether a next page exists, so a page costs one
query however large the table is.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 1_000_000


class PageNumberPagination(PaginationBase):
    class Input(Schema):
        # Bounded so that the offset fits the database's integers (a 500 otherwise).
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Rows per page (max 100)."
        )

    class Output(Schema):
        results: list[Any]
        next: str | None

    items_attribute: str = "results"

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | list[Any],
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        size = pagination.page_size
        offset = (pagination.page - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        next_url = None
        if len(rows) > size:
            query = request.GET.copy()
            query["page"] = str(pagination.page + 1)
            query["page_size"] = str(size)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"results": rows[:size], "next": next_url}
