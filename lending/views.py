"""HTML pages of the lending service, mobile-first: browse, item and its calendar, list an
item, my items, my loans, a loan with check-out/check-in at the door, wanted.

Members in good standing get the live service; visitors and applicants get the page that
explains how it works and its rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coop.exceptions import DomainError, NotFound
from coop.members.models import User
from coop.money.checkout import card_payment_context
from coop.money.models import PaymentStatus
from frontend.catalogue import service_page_context
from frontend.forms import form_add_domain_error
from lending import forms, photos, selectors, services
from lending.exceptions import NotAvailable
from lending.models import (
    DamageReport,
    Hold,
    HoldStatus,
    Item,
    PhotoStage,
    Reservation,
    ReservationStatus,
    Wanted,
)


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.in_good_standing:  # type: ignore[union-attr]
            return redirect("lending:index")
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _item(user: User, pk: int) -> Item:
    try:
        return selectors.item_get_for_user(user, pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _managed_item(user: User, pk: int) -> Item:
    """An item the user owns (or, for the common store, manages as board); 404 for others."""
    item = _item(user, pk)
    if not item.is_managed_by(user):
        raise Http404("No such item.")
    return item


def _reservation(user: User, pk: int) -> Reservation:
    try:
        return selectors.reservation_get_for_user(user, pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _cents(euros: Decimal | None) -> int:
    return int((euros or Decimal(0)) * 100)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def index(request: HttpRequest) -> HttpResponse:
    """Members: browse and search the library. Others: how it works and its rules."""
    user = request.user
    if not user.is_authenticated or not user.in_good_standing:
        return render(request, "lending/index.html", service_page_context("lending"))
    form = forms.SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    home = _user(request).home
    near = home if home is not None and filters.get("radius_km") else None
    start = filters.get("available_from")
    hits: list[selectors.SearchHit] = []
    try:
        hits = selectors.item_search(
            viewer=_user(request),
            q=filters.get("q", ""),
            category=filters.get("category", ""),
            near=near,
            radius_km=float(filters["radius_km"]) if near is not None else None,
            available_from=start,
            # Without a length, "free from then" means free for the shortest useful loan.
            available_to=start + timedelta(hours=filters.get("hours") or 1) if start else None,
        )[:50]
    except DomainError as error:
        form_add_domain_error(form, error)
    return render(
        request,
        "lending/browse.html",
        {"form": form, "hits": hits, "has_home": home is not None, "service_slug": "lending"},
    )


@member_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = _item(user, pk)
    form = forms.ReserveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        start = form.cleaned_data["starts_at"]
        try:
            reservation = services.reservation_request(
                borrower=user,
                item=item,
                starts_at=start,
                ends_at=start + timedelta(hours=form.cleaned_data["hours"]),
            )
        except NotAvailable as error:
            # The message names the next free window in words; fields carry it for machines.
            form.add_error(None, error.message)
        except DomainError as error:
            form_add_domain_error(form, error, rename={"ends_at": "hours"})
        else:
            messages.success(request, "Reservation sent.")
            return redirect("lending:loan", pk=reservation.pk)
    exact = selectors.can_see_exact_pickup(item, user)
    now = timezone.now()
    hold = Hold.objects.filter(
        item=item, member=user, status__in=[HoldStatus.WAITING, HoldStatus.OFFERED]
    ).first()
    return render(
        request,
        "lending/item.html",
        {
            "item": item,
            "form": form,
            "exact": exact,
            "pickup": selectors.pickup_for(item, exact=exact),
            "busy": selectors.item_calendar(item, start=now, days=14),
            "is_manager": item.is_managed_by(user),
            "hold": hold,
            "hold_position": selectors.hold_position(hold) if hold else None,
        },
    )


@member_required
def item_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if user.home is None:
            form.add_error(None, "Set your home on your profile first: it is the pickup area.")
        else:
            try:
                item = services.item_create(
                    owner=user, pickup=user.home, **_item_form_details(data)
                )
            except DomainError as error:
                form_add_domain_error(form, error, rename=_ITEM_FORM_NAMES)
            else:
                messages.success(request, "Your item is listed.")
                return redirect("lending:item", pk=item.pk)
    return render(request, "lending/item_form.html", {"form": form})


# The service counts money in cents; the form asks for euros.
_ITEM_FORM_NAMES = {
    "replacement_value_cents": "replacement_value_euros",
    "deposit_cents": "deposit_euros",
}


def _item_form_details(data: dict[str, Any]) -> dict[str, Any]:
    """The service's item details from ItemForm's cleaned data (euros to cents, one prompt a
    line)."""
    details = {
        name: data[name]
        for name in services.ITEM_DETAILS
        if name in data and name not in {"checkout_prompts", "checkin_prompts"}
    }
    details["replacement_value_cents"] = _cents(data["replacement_value_euros"])
    details["deposit_cents"] = _cents(data["deposit_euros"])
    details["checkout_prompts"] = _lines(data["checkout_prompts"])
    details["checkin_prompts"] = _lines(data["checkin_prompts"])
    return details


@member_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner changes an item's details; photos are one link away."""
    user = _user(request)
    item = _managed_item(user, pk)
    current = services.item_details(item)
    initial = {
        **current,
        "replacement_value_euros": Decimal(item.replacement_value_cents) / 100,
        "deposit_euros": Decimal(item.deposit_cents) / 100,
        "checkout_prompts": "\n".join(item.checkout_prompts),
        "checkin_prompts": "\n".join(item.checkin_prompts),
    }
    form = forms.ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=user, item=item, **_item_form_details(form.cleaned_data))
        except DomainError as error:
            form_add_domain_error(form, error, rename=_ITEM_FORM_NAMES)
        else:
            messages.success(request, "Saved.")
            return redirect("lending:item", pk=item.pk)
    return render(request, "lending/item_form.html", {"form": form, "item": item})


@member_required
def item_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's photo page of an item: add (with what it shows), reorder, remove."""
    user = _user(request)
    item = _managed_item(user, pk)
    form = forms.ItemPhotoForm(*_bound(request, request.POST.get("action") == "add"))
    if request.method == "POST":
        try:
            done = _photo_action(request, user, item, form)
        except DomainError as error:
            form_add_domain_error(form, error)
            if request.POST.get("action") != "add":
                messages.error(request, error.message)
        else:
            if done:
                return redirect("lending:item_photos", pk=pk)
    return render(
        request,
        "lending/item_photos.html",
        {"item": item, "form": form, "photos": list(item.photos.all()), **_photo_limits()},
    )


def _photo_limits() -> dict[str, int]:
    return {"max_photos": photos.MAX_ITEM_PHOTOS}


def _photo_action(request: HttpRequest, user: User, item: Item, form: forms.ItemPhotoForm) -> bool:
    """Add, move or remove one photo; True when something changed."""
    action = request.POST.get("action", "")
    if action == "add":
        if not form.is_valid():
            return False
        photos.item_photo_add(
            actor=user,
            item=item,
            upload=form.cleaned_data["photo"],
            alt_text=form.cleaned_data["alt_text"],
        )
        messages.success(request, "Photo added.")
        return True
    try:
        photo = selectors.item_photo_get(item, int(request.POST.get("photo", "")))
    except (ValueError, NotFound) as error:
        raise Http404("No such photo.") from error
    if action == "remove":
        photos.item_photo_remove(actor=user, photo=photo)
        messages.success(request, "Photo removed.")
        return True
    if action in {"earlier", "later"}:
        order = [p.pk for p in item.photos.all()]
        index = order.index(photo.pk)
        swap = index - 1 if action == "earlier" else index + 1
        if 0 <= swap < len(order):
            order[index], order[swap] = order[swap], order[index]
            photos.item_photos_reorder(actor=user, item=item, photo_ids=order)
        return True
    messages.error(request, "Unknown action.")
    return False


@member_required
@require_POST
def item_maintenance(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = _item(user, pk)
    try:
        if request.POST.get("action") == "safety_check":
            services.item_record_safety_check(actor=user, item=item)
        else:
            services.item_set_repair(
                actor=user, item=item, out_for_repair=request.POST.get("action") == "repair"
            )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("lending:item", pk=pk)


@member_required
@require_POST
def hold_join(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        services.hold_join(member=user, item=_item(user, pk))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("lending:item", pk=pk)


@member_required
def my_items(request: HttpRequest) -> HttpResponse:
    items = selectors.items_managed_by(_user(request))[:100]
    return render(request, "lending/my_items.html", {"items": items})


@member_required
def my_loans(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = list(selectors.reservations_for(user)[:100])
    return render(
        request,
        "lending/my_loans.html",
        {
            "borrowing": [r for r in rows if r.borrower_id == user.pk],
            "lending": [r for r in rows if r.borrower_id != user.pk],
        },
    )


def _bound(request: HttpRequest, chosen: bool) -> tuple[Any, Any]:
    """Form data and files for the one form the posted `action` is about; None for the rest."""
    return (request.POST, request.FILES) if chosen else (None, None)


def _prompt_answers(prompts: list[str], data: dict[str, Any]) -> dict[str, str]:
    return {prompt: data[f"prompt_{index}"] for index, prompt in enumerate(prompts)}


@member_required
def loan(request: HttpRequest, pk: int) -> HttpResponse:
    """A reservation: its status and the one next step for whoever is looking at it."""
    user = _user(request)
    reservation = _reservation(user, pk)
    item = reservation.item
    is_manager = item.is_managed_by(user)
    action = request.POST.get("action", "")
    checkout = forms.prompts_form(item.checkout_prompts, prefix="checkout", with_condition=False)(
        *_bound(request, action == "pickup"), prefix="out"
    )
    checkin = forms.prompts_form(item.checkin_prompts, prefix="checkin", with_condition=True)(
        *_bound(request, action == "return"), prefix="in"
    )
    photo = forms.ConditionPhotoForm(*_bound(request, action == "photo"), prefix="photo")
    extend = forms.ExtendForm(request.POST if action == "extend" else None)
    damage = forms.DamageForm(request.POST if action == "damage" else None)
    decide = forms.DecideForm(request.POST if action == "decide" else None)
    if request.method == "POST":
        done = _loan_action(
            request,
            user,
            reservation,
            action,
            checkout=checkout,
            checkin=checkin,
            extend=extend,
            damage=damage,
            decide=decide,
            photo=photo,
        )
        if done:
            return redirect("lending:loan", pk=pk)
    report = DamageReport.objects.filter(reservation=reservation).first()
    return render(
        request,
        "lending/loan.html",
        {
            "reservation": reservation,
            "item": item,
            "is_manager": is_manager,
            "is_borrower": reservation.borrower_id == user.pk,
            "checkout": checkout,
            "checkin": checkin,
            "extend": extend,
            "damage": damage,
            "decide": decide,
            "photo_form": photo,
            "can_add_photo": (reservation.borrower_id == user.pk or is_manager)
            and any(photos.condition_stage_open(reservation, stage) for stage in PhotoStage),
            "condition_photos": selectors.condition_photos_of(reservation),
            "report": report,
            "overdue": reservation.is_overdue(),
            "exact": selectors.can_see_exact_pickup(item, user),
            "S": ReservationStatus,
            **_deposit_context(reservation, user),
        },
    )


def _deposit_context(reservation: Reservation, user: User) -> dict[str, Any]:
    """The borrower authorises the deposit hold in the browser, with Stripe Elements (or
    localstripe's stand-in in development)."""
    payment = reservation.deposit_payment
    due = (
        payment is not None
        and reservation.borrower_id == user.pk
        and reservation.status in (ReservationStatus.APPROVED, ReservationStatus.PICKED_UP)
        and payment.status == PaymentStatus.PENDING
    )
    if not due:
        return {"deposit_due": False}
    return {
        "deposit_due": True,
        **card_payment_context(),
    }


def _loan_action(
    request: HttpRequest,
    user: User,
    reservation: Reservation,
    action: str,
    **forms_: Any,
) -> bool:
    """Run one lifecycle step from the loan page; True when it succeeded."""
    form = {
        "pickup": "checkout",
        "return": "checkin",
        "extend": "extend",
        "damage": "damage",
        "decide": "decide",
        "photo": "photo",
    }.get(action)
    bound = forms_.get(form) if form else None
    if bound is not None and not bound.is_valid():
        return False
    data = bound.cleaned_data if bound is not None else {}
    item = reservation.item
    steps: dict[str, Callable[[], object]] = {
        "approve": lambda: services.reservation_approve(actor=user, reservation=reservation),
        "decline": lambda: services.reservation_decline(actor=user, reservation=reservation),
        "cancel": lambda: services.reservation_cancel(actor=user, reservation=reservation),
        "pickup": lambda: services.reservation_pickup(
            actor=user,
            reservation=reservation,
            condition_note=data["condition_note"],
            answers=_prompt_answers(item.checkout_prompts, data),
            photo=data.get("photo"),
        ),
        "return": lambda: services.reservation_return(
            actor=user,
            reservation=reservation,
            condition=data["condition"],
            condition_note=data["condition_note"],
            answers=_prompt_answers(item.checkin_prompts, data),
            damaged=data["damaged"],
            photo=data.get("photo"),
        ),
        "extend": lambda: services.reservation_extend(
            actor=user,
            reservation=reservation,
            ends_at=reservation.ends_at + timedelta(hours=data["hours"]),
        ),
        "damage": lambda: services.damage_report_file(
            actor=user,
            reservation=reservation,
            description=data["description"],
            claimed_cents=_cents(data["claimed_euros"]),
        ),
        "decide": lambda: _decide(user, reservation, _cents(data.get("awarded_euros"))),
        "photo": lambda: photos.condition_photo_add(
            actor=user, reservation=reservation, stage=data["stage"], upload=data["photo"]
        ),
    }
    step = steps.get(action)
    if step is None:
        messages.error(request, "Unknown action.")
        return False
    try:
        step()
    except DomainError as error:
        # A step that failed after moving the status (a refused photo at check-out) was rolled
        # back, but this object still says otherwise: show the page from the database's state.
        reservation.refresh_from_db()
        if bound is not None:
            form_add_domain_error(bound, error)
        else:
            messages.error(request, error.message)
        return False
    messages.success(request, "Done.")
    return True


def _decide(user: User, reservation: Reservation, awarded_cents: int) -> object:
    report = DamageReport.objects.filter(reservation=reservation).first()
    if report is None:
        raise NotFound("No damage report.")
    return services.damage_report_decide(actor=user, report=report, awarded_cents=awarded_cents)


@member_required
def wanted(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.WantedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.wanted_create(
                member=user,
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Posted. Neighbours who have one can now find you.")
            return redirect("lending:wanted")
    posts = Wanted.objects.filter(is_open=True).select_related("member", "purchase")[:100]
    return render(request, "lending/wanted.html", {"form": form, "posts": posts})
