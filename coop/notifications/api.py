"""`/api/v1/notifications`: my notifications, and marking them read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from coop.api import error_responses
from coop.notifications import selectors, services
from coop.notifications.models import Notification
from coop.notifications.schemas import MarkedOut, NotificationOut, UnreadCountOut
from coop.pagination import PageNumberPagination

router = Router(tags=["notifications"])


@router.get(
    "",
    response={200: list[NotificationOut], **error_responses(400, 401)},
    summary="My notifications, newest first",
)
@paginate(PageNumberPagination)
def notification_list(request: HttpRequest) -> QuerySet[Notification]:
    return selectors.notification_list_for(recipient=request.user)  # type: ignore[arg-type]


@router.get(
    "/unread-count",
    response={200: UnreadCountOut, **error_responses(401)},
    summary="How many of my notifications are unread",
)
def notification_unread_count(request: HttpRequest) -> UnreadCountOut:
    count = selectors.notification_unread_count(recipient=request.user)  # type: ignore[arg-type]
    return UnreadCountOut(unread_count=count)


@router.post(
    "/read-all",
    response={200: MarkedOut, **error_responses(401, 403)},
    summary="Mark all my notifications read",
)
def notification_read_all(request: HttpRequest) -> MarkedOut:
    marked = services.notification_mark_all_read(recipient=request.user)  # type: ignore[arg-type]
    return MarkedOut(marked=marked)


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **error_responses(401, 403, 404)},
    summary="Mark one of my notifications read",
)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    notification = selectors.notification_get_for(
        recipient=request.user,  # type: ignore[arg-type]
        notification_id=notification_id,
    )
    return services.notification_mark_read(recipient=request.user, notification=notification)  # type: ignore[arg-type]
