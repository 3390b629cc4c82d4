"""HTML pages of the timebank: browse, post, exchange, send hours, history, chores, board.

Members in good standing get the live service; visitors and applicants get the page that
explains how it works and its rules.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from coop.exceptions import DomainError, NotFound
from coop.geo.approximate import approximate_point
from coop.members.models import User
from frontend.catalogue import service_page_context
from frontend.forms import form_add_domain_error
from timebank import forms, rota, selectors, services
from timebank.exceptions import UnknownMember
from timebank.models import Chore, ChoreStatus, Exchange, ExchangeStatus, PostKind

PAGE_SIZE = 20


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.in_good_standing:  # type: ignore[union-attr]
            return redirect("timebank:index")
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _member_number_to_id(number: int) -> int:
    user = User.objects.filter(member_number=number).only("pk").first()
    return user.pk if user else 0


def _balance_context(user: User) -> dict[str, Any]:
    account = services.account_for(user)
    limits = services.account_limits(account)
    return {
        "account": account,
        "balance": services.format_minutes(account.balance_minutes),
        "min_balance": services.format_minutes(limits.min_minutes or 0),
        "max_balance": services.format_minutes(limits.max_minutes or 0),
        "is_coordinator": services.is_coordinator(user),
    }


def index(request: HttpRequest) -> HttpResponse:
    """Members: browse and search posts, and their balance. Others: how the service works."""
    if not request.user.is_authenticated or not request.user.in_good_standing:
        return render(request, "timebank/index.html", service_page_context("timebank"))
    user = _user(request)
    if request.method == "POST":  # the weekly digest switch
        services.account_update_settings(
            user=user, weekly_digest=bool(request.POST.get("weekly_digest"))
        )
        messages.success(request, "Your digest setting is saved.")
        return redirect("timebank:index")
    form = forms.SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    posts = selectors.post_list(
        q=data.get("q") or "", category=data.get("category") or "", kind=data.get("kind") or ""
    )
    home, radius = user.home, data.get("radius_km")
    rows: list[tuple[Any, float | None]]
    if home is not None and radius:
        rows = [
            (hit.obj, hit.distance_km)
            for hit in selectors.post_list_near(
                posts, center=home, radius_km=radius, limit=PAGE_SIZE
            )
        ]
        page = None
    else:
        page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(post, None) for post in page.object_list]
    return render(
        request,
        "timebank/home.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "has_home": home is not None,
            **_balance_context(user),
        },
    )


def about(request: HttpRequest) -> HttpResponse:
    """How the timebank works and its rules, for members too (their index is the live service)."""
    return render(request, "timebank/index.html", service_page_context("timebank"))


@require_POST
@member_required
def post_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        post = selectors.post_get(pk)
        services.post_close(user=_user(request), post=post)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("timebank:post", pk)
    messages.success(request, "Your post is closed.")
    return redirect("timebank:index")


@member_required
def post_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.PostForm(request.POST or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            post = services.post_create(
                author=user,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                category=data["category"],
                tags=data["tags"].split(","),
                location=user.home if data["at_home"] else None,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Your post is live.")
            return redirect("timebank:post", post.pk)
    return render(request, "timebank/post_form.html", {"form": form})


@member_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        post = selectors.post_get(pk)
    except NotFound:
        raise Http404 from None
    form = forms.MinutesForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.exchange_request(
                requester=user, post=post, minutes=form.cleaned_data["minutes"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request, "Your exchange is proposed. You will be notified when they answer."
            )
            return redirect("timebank:exchanges")
    location = post.location
    if location is not None and post.author_id != user.pk:
        location = approximate_point(location, key=f"timebank-post:{post.pk}")
    return render(
        request,
        "timebank/post_detail.html",
        {
            "post": post,
            "form": form,
            "location": location,
            "is_author": post.author_id == user.pk,
            "you_give": post.kind == PostKind.REQUEST,
        },
    )


@member_required
def exchanges(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _exchange_page(request, actor=user, viewer=user, acting_for=None)


@member_required
def coordinate(request: HttpRequest) -> HttpResponse:
    """A coordinator records the steps of a member's exchanges for them (they are not online).

    Every step taken here names the coordinator on the exchange's transfer and notifies the
    member, exactly as the API's `on_behalf_of` does.
    """
    user = _user(request)
    if not services.is_coordinator(user):
        raise Http404
    form = forms.CoordinateForm(request.GET or None)
    member = None
    if form.is_valid():
        member = User.objects.filter(
            member_number=form.cleaned_data["member_number"], is_active=True
        ).first()
        if member is None:
            form.add_error("member_number", "No member with that number.")
    if member is None:
        return render(request, "timebank/coordinate.html", {"form": form})
    return _exchange_page(request, actor=member, viewer=user, acting_for=member, form=form)


def _exchange_page(
    request: HttpRequest,
    *,
    actor: User,
    viewer: User,
    acting_for: User | None,
    form: forms.CoordinateForm | None = None,
) -> HttpResponse:
    page = Paginator(selectors.exchange_list_for(actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    endorsed = selectors.endorsed_exchange_ids(
        author=actor, exchange_ids=[exchange.pk for exchange in page.object_list]
    )
    return render(
        request,
        "timebank/coordinate.html" if acting_for else "timebank/exchanges.html",
        {
            "page": page,
            "endorsed": endorsed,
            "statuses": ExchangeStatus,
            "actor": actor,
            "acting_for": acting_for,
            "form": form,
            **_balance_context(viewer),
        },
    )


_EXCHANGE_ACTIONS: dict[str, Callable[..., Exchange]] = {
    "accept": services.exchange_accept,
    "complete": services.exchange_complete,
    "confirm": services.exchange_confirm,
    "cancel": services.exchange_cancel,
}
_DONE_MESSAGES = {
    "accept": "Accepted. Agree the details with the other member.",
    "complete": "Marked done. The other member now confirms it.",
    "confirm": "Confirmed: the minutes have moved.",
    "cancel": "The exchange is cancelled.",
    "dispute": "The board will look at your dispute.",
    "endorse": "Thank you for your endorsement.",
    "resolve-confirm": "The dispute is resolved: the exchange is confirmed and paid.",
    "resolve-cancel": "The dispute is resolved: the exchange is cancelled.",
}


def _acting_for(request: HttpRequest, user: User, exchange: Exchange) -> User | None:
    """The member a coordinator acts for (`on_behalf_of` in the form), or None."""
    raw = request.POST.get("on_behalf_of")
    if not raw:
        return None
    member = User.objects.filter(pk=int(raw) if raw.isdigit() else 0).first()
    if member is None or member.pk == user.pk:
        return None
    if not services.is_coordinator(user) or not exchange.is_party(member.pk):
        raise Http404
    return member


@require_POST
@member_required
def exchange_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    try:
        exchange = selectors.exchange_get_for_user(user, pk)
    except NotFound:
        raise Http404 from None
    back = "timebank:board" if action.startswith("resolve") else "timebank:exchanges"
    acting_for = _acting_for(request, user, exchange)
    try:
        if acting_for is not None:
            if action not in _EXCHANGE_ACTIONS:
                raise Http404("Coordinators record the steps of an exchange only.")
            _EXCHANGE_ACTIONS[action](user=acting_for, exchange=exchange, recorded_by=user)
            messages.success(request, _DONE_MESSAGES[action])
            return redirect(
                f"{reverse('timebank:coordinate')}?member_number={acting_for.member_number}"
            )
        if action in _EXCHANGE_ACTIONS:
            _EXCHANGE_ACTIONS[action](user=user, exchange=exchange)
        elif action == "dispute":
            services.exchange_dispute(
                user=user, exchange=exchange, reason=request.POST.get("reason", "")
            )
        elif action == "endorse":
            services.endorsement_create(
                author=user, exchange=exchange, text=request.POST.get("text", "")
            )
        elif action in {"resolve-confirm", "resolve-cancel"}:
            services.exchange_resolve(
                board=user, exchange=exchange, outcome=action.removeprefix("resolve-")
            )
        else:
            raise Http404("No such action.")
    except DomainError as error:
        problems = [p for values in error.fields.values() for p in values]
        messages.error(
            request,
            " ".join(problems) if error.code != "balance_limit" and problems else error.message,
        )
    else:
        messages.success(request, _DONE_MESSAGES[action])
    return redirect(back)


@member_required
def transfer_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.TransferForm(
        request.POST if request.POST.get("form") == "transfer" else None, prefix="t"
    )
    if not services.is_coordinator(user):
        del form.fields["payer_number"]
    gift = forms.GiftForm(request.POST if request.POST.get("form") == "gift" else None, prefix="g")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        payer, recorded_by = user, None
        if data.get("payer_number") and data["payer_number"] != user.member_number:
            # A coordinator records a transfer for a member who is not online.
            payer = User.objects.filter(member_number=data["payer_number"]).first() or user
            recorded_by = user
        try:
            if payer is user and recorded_by is not None:
                raise UnknownMember(fields={"payer_number": ["No member with that number."]})
            services.transfer_create(
                payer=payer,
                to_member_id=_member_number_to_id(data["member_number"]),
                minutes=data["minutes"],
                note=data["note"],
                recorded_by=recorded_by,
            )
        except DomainError as error:
            form_add_domain_error(form, error, rename={"to_member": "member_number"})
        else:
            messages.success(request, "Hours sent.")
            return redirect("timebank:history")
    if gift.is_bound and gift.is_valid():
        try:
            services.community_gift(
                giver=user, minutes=gift.cleaned_data["minutes"], note=gift.cleaned_data["note"]
            )
        except DomainError as error:
            form_add_domain_error(gift, error)
        else:
            messages.success(request, "Thank you: your hours went to the community account.")
            return redirect("timebank:history")
    return render(
        request, "timebank/transfer.html", {"form": form, "gift": gift, **_balance_context(user)}
    )


@member_required
def history(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(selectors.movement_list_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "timebank/history.html",
        {
            "page": page,
            "actions": selectors.coordinator_actions_for(user)[:20],
            **_balance_context(user),
        },
    )


def _export_response(rows: Any, fmt: str, name: str, extra: tuple[str, ...] = ()) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(
            selectors.rows_as_csv(rows, extra=extra), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "json":
        response = HttpResponse(
            selectors.rows_as_json(rows, generated_at=timezone.now()),
            content_type="application/json",
        )
    else:
        raise Http404("Export as csv or json.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@member_required
def history_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export_response(
        selectors.ledger_rows_for(_user(request)),
        fmt,
        "timebank-ledger",
        ("my_change_minutes", "balance_after_minutes"),
    )


@member_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        member = selectors.profile_get(pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "timebank/profile.html",
        {
            "member": member,
            "endorsements": selectors.endorsements_of(member)[:50],
            "posts": selectors.post_list(author=member)[:20],
        },
    )


@member_required
def chores(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "timebank/chores.html",
        {"chores": selectors.chores_for(user), "swap_form": forms.SwapForm()},
    )


def _chore_get(pk: int) -> Chore:
    chore = selectors.chores_all().filter(pk=pk).first()
    if chore is None:
        raise Http404("No chore with that id.")
    return chore


@require_POST
@member_required
def chore_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    chore = _chore_get(pk)
    back = "timebank:board" if action == "done" else "timebank:chores"
    try:
        if action == "accept":
            rota.chore_accept(user=user, chore=chore)
        elif action == "decline":
            rota.chore_decline(user=user, chore=chore)
        elif action == "swap":
            form = forms.SwapForm(request.POST)
            number = form.cleaned_data["member_number"] if form.is_valid() else 0
            rota.chore_swap_request(
                user=user, chore=chore, to_member_id=_member_number_to_id(number)
            )
        elif action == "swap-accept":
            rota.chore_swap_accept(user=user, chore=chore)
        elif action == "done":
            rota.chore_done(board=user, chore=chore)
        else:
            raise Http404("No such action.")
    except DomainError as error:
        problems = [p for values in error.fields.values() for p in values]
        messages.error(request, " ".join(problems) or error.message)
    else:
        messages.success(request, "Done.")
    return redirect(back)


@member_required
def board(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_board:
        raise Http404("Board members only.")
    chore_form = forms.ChoreForm(
        request.POST if request.POST.get("form") == "chore" else None, prefix="c"
    )
    coordinator_form = forms.CoordinatorForm(
        request.POST if request.POST.get("form") == "coordinator" else None, prefix="k"
    )
    if chore_form.is_bound and chore_form.is_valid():
        data = chore_form.cleaned_data
        lat, lng = data["lat"], data["lng"]
        try:
            from coop.geo.points import Point  # noqa: PLC0415

            rota.chore_create(
                board=user,
                title=data["title"],
                description=data["description"],
                minutes=data["minutes"],
                location=Point(lat, lng) if lat is not None and lng is not None else None,
                due_on=data["due_on"],
            )
        except DomainError as error:
            form_add_domain_error(chore_form, error)
        else:
            messages.success(request, "The chore is posted and offered by the rota.")
            return redirect("timebank:board")
    if coordinator_form.is_bound and coordinator_form.is_valid():
        try:
            services.coordinator_appoint(
                board=user,
                member_id=_member_number_to_id(coordinator_form.cleaned_data["member_number"]),
            )
        except DomainError as error:
            form_add_domain_error(coordinator_form, error, rename={"member": "member_number"})
        else:
            messages.success(request, "Coordinator appointed.")
            return redirect("timebank:board")
    return render(
        request,
        "timebank/board.html",
        {
            "disputes": selectors.disputes(),
            "chores": selectors.chores_all().exclude(
                status__in=[ChoreStatus.DONE, ChoreStatus.CANCELLED]
            )[:50],
            "chore_form": chore_form,
            "coordinator_form": coordinator_form,
            "coordinators": selectors.coordinator_list(),
        },
    )


@member_required
def board_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _user(request).is_board:
        raise Http404("Board members only.")
    return _export_response(selectors.bank_rows(), fmt, "timebank-all-transfers")
