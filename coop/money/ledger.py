"""The only way money moves: `ledger_post` and `ledger_reverse`, plus balances and their check.

Services never touch balances: they post balanced transactions here. Members' accounts keep
their cached balance current inside the posting transaction (under `lock_for_update`, so two
postings to one member queue up). The co-op's busy accounts (`HOT_KINDS`) are not locked nor
updated by a posting; their cache is rolled up periodically (`ledger_rollup`), and their current
balance is the cache plus the entries after its watermark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, Q, Sum

from coop.exceptions import InvalidInput
from coop.locking import lock_for_update
from coop.members.models import User
from coop.money.amounts import Money, default_currency
from coop.money.models import (
    HOT_KINDS,
    KIND_TYPES,
    MEMBER_KINDS,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
)


class UnbalancedTransaction(InvalidInput):
    code = "unbalanced_transaction"
    default_message = "A ledger transaction's entries must sum to zero."


class MixedCurrencies(InvalidInput):
    code = "mixed_currencies"
    default_message = "A ledger transaction has entries in one currency only."


class AlreadyReversed(InvalidInput):
    code = "already_reversed"
    default_message = "That transaction has already been reversed."


@dataclass(frozen=True, slots=True)
class Cause:
    """Who or what caused a posting: kept on the transaction for members and auditors."""

    service: str
    cause_type: str = ""
    cause_id: str = ""
    member: User | None = None
    stripe_event_id: str = ""
    created_by: User | None = None

    @classmethod
    def of(cls, service: str, obj: Any = None, **kwargs: Any) -> Cause:
        if obj is None:
            return cls(service=service, **kwargs)
        return cls(
            service=service, cause_type=obj._meta.label_lower, cause_id=str(obj.pk), **kwargs
        )


# --- Accounts --------------------------------------------------------------------------------

_KIND_NAMES = dict(AccountKind.choices)


def account_for(
    *, kind: str, owner: User | None = None, key: str = "", currency: str | None = None
) -> Account:
    """The account of `kind` (for `owner`, or the co-op's), created on first use."""
    currency = currency or default_currency()
    if (kind in MEMBER_KINDS) != (owner is not None):
        raise ValueError(
            f"Accounts of kind {kind!r} {'need' if kind in MEMBER_KINDS else 'have no'} owner."
        )
    name = _KIND_NAMES[kind]
    if owner is not None:
        name = f"{name}: {owner.display_name}"
    elif key:
        name = f"{name}: {key.replace('-', ' ')}"
    lookup = {"kind": kind, "owner": owner, "key": key, "currency": currency}
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(type=KIND_TYPES[kind], name=name, **lookup)
    except IntegrityError:
        # Someone created it at the same moment: theirs is the one.
        return Account.objects.get(**lookup)


def coop_account(kind: str, *, key: str = "", currency: str | None = None) -> Account:
    return account_for(kind=kind, key=key, currency=currency)


def member_account(member: User, kind: str, *, currency: str | None = None) -> Account:
    return account_for(kind=kind, owner=member, currency=currency)


# --- Posting ---------------------------------------------------------------------------------


def _validate(entries: Sequence[tuple[Account, Money]]) -> str:
    if len(entries) < 2:
        raise UnbalancedTransaction("A ledger transaction needs at least two entries.")
    currencies = {amount.currency for _, amount in entries} | {a.currency for a, _ in entries}
    if len(currencies) != 1:
        raise MixedCurrencies(
            "A ledger transaction has entries in one currency, not "
            f"{', '.join(sorted(currencies))}."
        )
    if any(amount.is_zero for _, amount in entries):
        raise InvalidInput("A ledger entry cannot be zero.", code="zero_entry")
    total = sum(amount.cents for _, amount in entries)
    if total != 0:
        raise UnbalancedTransaction(f"The entries sum to {total} cents instead of zero.")
    return currencies.pop()


def ledger_post(
    *,
    entries: Sequence[tuple[Account, Money]],
    cause: Cause,
    description: str,
    reverses: LedgerTransaction | None = None,
    idempotency_key: str | None = None,
) -> LedgerTransaction:
    """Book one balanced transaction (debits positive, credits negative).

    With an `idempotency_key` already used, returns the earlier transaction and books nothing.
    """
    currency = _validate(entries)
    with transaction.atomic():
        if idempotency_key is not None:
            earlier = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier
        cold = [account for account, _ in entries if account.kind not in HOT_KINDS]
        locked = {account.pk: account for account in lock_for_update(*cold)} if cold else {}
        try:
            with transaction.atomic():
                tx = LedgerTransaction.objects.create(
                    currency=currency,
                    description=description[:200],
                    service=cause.service,
                    cause_type=cause.cause_type,
                    cause_id=cause.cause_id,
                    member=cause.member,
                    stripe_event_id=cause.stripe_event_id,
                    created_by=cause.created_by,
                    reverses=reverses,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError as error:
            if reverses is not None:
                raise AlreadyReversed() from error
            raise
        created = Entry.objects.bulk_create(
            Entry(transaction=tx, account=account, amount_cents=amount.cents, currency=currency)
            for account, amount in entries
        )
        _update_cold_balances(locked, created)
    return tx


def _update_cold_balances(locked: dict[int, Account], created: list[Entry]) -> None:
    """Caller holds the locks on the accounts in `locked`."""
    if not locked:
        return
    if any(entry.pk is None for entry in created):
        # Only SQLite < 3.35 cannot return ids from a bulk insert; read them back.
        ids = Entry.objects.filter(transaction_id=created[0].transaction_id)
        created = list(ids)
    deltas: dict[int, int] = {}
    last_id: dict[int, int] = {}
    for entry in created:
        if entry.account_id in locked:
            deltas[entry.account_id] = deltas.get(entry.account_id, 0) + entry.amount_cents
            last_id[entry.account_id] = max(last_id.get(entry.account_id, 0), entry.pk)
    for account_id, delta in deltas.items():
        account = locked[account_id]
        # Every posting to this account holds its lock, so no entry of it can commit with an id
        # below this watermark after us: the cache is exact.
        account.balance_cents += delta
        account.balance_as_of_entry_id = last_id[account_id]
        account.save(update_fields=["balance_cents", "balance_as_of_entry_id"])


def ledger_reverse(
    *,
    transaction_: LedgerTransaction,
    reason: str,
    by: User | None = None,
    stripe_event_id: str = "",
) -> LedgerTransaction:
    """Post the mirror image of `transaction_`; a transaction can be reversed once."""
    entries = [
        (entry.account, -Money(entry.amount_cents, entry.currency))
        for entry in transaction_.entries.select_related("account")
    ]
    cause = Cause(
        service=transaction_.service,
        cause_type=transaction_.cause_type,
        cause_id=transaction_.cause_id,
        member=transaction_.member,
        stripe_event_id=stripe_event_id,
        created_by=by,
    )
    return ledger_post(
        entries=entries,
        cause=cause,
        description=f"Reversal of #{transaction_.pk}: {reason}",
        reverses=transaction_,
    )


# --- Balances --------------------------------------------------------------------------------


def account_balance(account: Account) -> Money:
    """The raw (debit-positive) balance: the cache plus the entries after its watermark."""
    account = Account.objects.get(pk=account.pk)
    after = (
        Entry.objects.filter(account=account, id__gt=account.balance_as_of_entry_id).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )
    return Money(account.balance_cents + after, account.currency)


def balances_by_account(accounts: Sequence[Account]) -> dict[int, int]:
    """Raw balances of many accounts in one query."""
    if not accounts:
        return {}
    condition = Q()
    for account in accounts:
        condition |= Q(account_id=account.pk, id__gt=account.balance_as_of_entry_id)
    rows = Entry.objects.filter(condition).values("account_id").annotate(total=Sum("amount_cents"))
    after = {row["account_id"]: row["total"] for row in rows}
    return {account.pk: account.balance_cents + after.get(account.pk, 0) for account in accounts}


def _committed_entry_watermark() -> int | None:
    """An entry id below which every entry that will ever exist has committed (None: busy)."""
    if connection.vendor == "postgresql":
        # SHARE mode waits for every transaction that is inserting entries (they hold ROW
        # EXCLUSIVE from their INSERT on, before their ids are drawn) and holds new ones off
        # for the instant we read the maximum: afterwards no smaller id can appear. Payments
        # queue behind our lock request, so we wait briefly and otherwise try next round.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                cursor.execute("LOCK TABLE money_entry IN SHARE MODE")
                return Entry.objects.aggregate(top=Max("id"))["top"] or 0
        except OperationalError:
            return None
    # SQLite serialises writers: whatever is visible has committed.
    return Entry.objects.aggregate(top=Max("id"))["top"] or 0


def ledger_rollup() -> int:
    """Fold the entries of the hot accounts into their cached balance. Returns accounts moved."""
    watermark = _committed_entry_watermark()
    if watermark is None:
        return 0
    moved = 0
    for account in Account.objects.filter(kind__in=HOT_KINDS, balance_as_of_entry_id__lt=watermark):
        with transaction.atomic():
            (fresh,) = lock_for_update(account)
            total = (
                Entry.objects.filter(
                    account=fresh, id__gt=fresh.balance_as_of_entry_id, id__lte=watermark
                ).aggregate(total=Sum("amount_cents"))["total"]
                or 0
            )
            fresh.balance_cents += total
            fresh.balance_as_of_entry_id = watermark
            fresh.save(update_fields=["balance_cents", "balance_as_of_entry_id"])
            moved += 1
    return moved


@dataclass(frozen=True, slots=True)
class LedgerProblem:
    what: str

    def __str__(self) -> str:
        return self.what


def ledger_problems() -> list[LedgerProblem]:
    """Everything wrong with the ledger: unbalanced transactions, caches that disagree.

    Recomputes every account's balance from its entries, so it reads the whole entry table.
    """
    problems: list[LedgerProblem] = []
    unbalanced = (
        Entry.objects.values("transaction_id")
        .annotate(total=Sum("amount_cents"), lines=Count("id"))
        .filter(~Q(total=0) | Q(lines__lt=2))
        .order_by("transaction_id")
    )
    problems += [
        LedgerProblem(
            f"Transaction #{row['transaction_id']}: {row['lines']} entries sum to "
            f"{row['total']} cents."
        )
        for row in unbalanced
    ]
    empty = LedgerTransaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)
    problems += [LedgerProblem(f"Transaction #{pk} has no entries.") for pk in empty]
    other_currency = (
        Entry.objects.exclude(currency=F("transaction__currency"))
        .values_list("transaction_id", flat=True)
        .distinct()
        .order_by("transaction_id")
    )
    problems += [
        LedgerProblem(f"Transaction #{pk} has an entry in another currency.")
        for pk in other_currency
    ]
    accounts = Account.objects.annotate(
        upto=Sum(
            "entries__amount_cents",
            filter=Q(entries__id__lte=F("balance_as_of_entry_id")),
            default=0,
        ),
        wrong_currency=Count("entries", filter=~Q(entries__currency=F("currency"))),
    ).order_by("pk")
    for account in accounts:
        if account.upto != account.balance_cents:
            problems.append(
                LedgerProblem(
                    f"Account {account.pk} ({account.name}): cached balance "
                    f"{account.balance_cents} but its entries up to "
                    f"#{account.balance_as_of_entry_id} sum to {account.upto}."
                )
            )
        if account.wrong_currency:
            problems.append(
                LedgerProblem(
                    f"Account {account.pk} ({account.name}) has entries in another currency."
                )
            )
    return problems
