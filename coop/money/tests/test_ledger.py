"""The ledger: balanced postings only, append-only in the database, caches that a check verifies."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import (
    AlreadyReversed,
    Cause,
    MixedCurrencies,
    UnbalancedTransaction,
    account_balance,
    coop_account,
    ledger_post,
    ledger_problems,
    ledger_reverse,
    ledger_rollup,
    member_account,
)
from coop.money.models import Account, AccountKind, Entry, LedgerTransaction, Payout
from coop.money.payouts import payout_batch
from coop.money.tasks import ledger_rollup_hot_accounts

EUR = "EUR"


def _fee(bob: User, cents: int = 1000) -> LedgerTransaction:
    """bob's host earnings and the co-op's fee, paid into the clearing account."""
    return ledger_post(
        entries=[
            (coop_account(AccountKind.CLEARING), Money(cents, EUR)),
            (member_account(bob, AccountKind.MEMBER_PAYABLE), Money(-cents * 9 // 10, EUR)),
            (coop_account(AccountKind.FEE_REVENUE), Money(-cents // 10, EUR)),
        ],
        cause=Cause(service="testing", member=bob),
        description="A stay",
    )


def test_a_balanced_posting_moves_the_balances(bob: User) -> None:
    tx = _fee(bob)
    assert tx.entries.count() == 3
    payable = member_account(bob, AccountKind.MEMBER_PAYABLE)
    assert account_balance(payable) == Money(-900, EUR)
    # A member's cache is current at once; a hot account's only after the roll-up.
    payable.refresh_from_db()
    assert payable.balance_cents == -900
    fee = coop_account(AccountKind.FEE_REVENUE)
    assert fee.balance_cents == 0
    assert account_balance(fee) == Money(-100, EUR)
    assert ledger_rollup() >= 2
    fee.refresh_from_db()
    assert fee.balance_cents == -100
    assert account_balance(fee) == Money(-100, EUR)
    assert ledger_problems() == []


def test_the_periodic_rollup_task_folds_the_hot_accounts(bob: User) -> None:
    _fee(bob)
    ledger_rollup_hot_accounts.enqueue()
    clearing = coop_account(AccountKind.CLEARING)
    assert clearing.balance_cents == 1000
    assert clearing.balance_as_of_entry_id == Entry.objects.latest("id").pk


def test_an_unbalanced_posting_is_refused(bob: User) -> None:
    with pytest.raises(UnbalancedTransaction) as error:
        ledger_post(
            entries=[
                (coop_account(AccountKind.CLEARING), Money(1000, EUR)),
                (member_account(bob, AccountKind.MEMBER_PAYABLE), Money(-999, EUR)),
            ],
            cause=Cause(service="testing"),
            description="Off by one",
        )
    assert error.value.code == "unbalanced_transaction"
    assert "1 cents" in error.value.message
    assert LedgerTransaction.objects.count() == 0


def test_a_single_entry_posting_is_refused(bob: User) -> None:
    with pytest.raises(UnbalancedTransaction):
        ledger_post(
            entries=[(coop_account(AccountKind.CLEARING), Money(1000, EUR))],
            cause=Cause(service="testing"),
            description="Alone",
        )


def test_a_posting_in_two_currencies_is_refused(bob: User) -> None:
    with pytest.raises(MixedCurrencies):
        ledger_post(
            entries=[
                (coop_account(AccountKind.CLEARING), Money(1000, EUR)),
                (coop_account(AccountKind.CLEARING, currency="USD"), Money(-1000, "USD")),
            ],
            cause=Cause(service="testing"),
            description="Two currencies",
        )
    with pytest.raises(MixedCurrencies):
        ledger_post(
            entries=[
                (coop_account(AccountKind.CLEARING), Money(1000, "USD")),
                (coop_account(AccountKind.FEE_REVENUE, currency="USD"), Money(-1000, "USD")),
            ],
            cause=Cause(service="testing"),
            description="A EUR account booked in USD",
        )


def test_the_database_refuses_to_update_or_delete_entries(bob: User) -> None:
    tx = _fee(bob)
    entry = tx.entries.first()
    assert entry is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount_cents=5)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerTransaction.objects.filter(pk=tx.pk).update(description="Edited")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM money_ledgertransaction")
    assert Entry.objects.get(pk=entry.pk).amount_cents == entry.amount_cents


def test_the_database_refuses_a_zero_entry(bob: User) -> None:
    tx = _fee(bob)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.create(
            transaction=tx, account=coop_account(AccountKind.CLEARING), amount_cents=0, currency=EUR
        )


@pytest.mark.postgres
def test_postgres_refuses_an_unbalanced_transaction_at_commit(bob: User) -> None:
    sid = transaction.savepoint()
    tx = LedgerTransaction.objects.create(currency=EUR, description="Sneaky", service="testing")
    Entry.objects.create(
        transaction=tx, account=coop_account(AccountKind.CLEARING), amount_cents=100, currency=EUR
    )
    Entry.objects.create(
        transaction=tx,
        account=coop_account(AccountKind.FEE_REVENUE),
        amount_cents=-99,
        currency=EUR,
    )
    # The check is deferred to COMMIT; tests run inside a transaction, so ask for it now.
    with pytest.raises(DatabaseError, match="unbalanced"), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    transaction.savepoint_rollback(sid)


def test_a_reversal_undoes_a_transaction_once(bob: User, board: User) -> None:
    tx = _fee(bob)
    reversal = ledger_reverse(transaction_=tx, reason="booked twice", by=board)
    assert reversal.reverses == tx
    assert reversal.created_by == board
    assert account_balance(member_account(bob, AccountKind.MEMBER_PAYABLE)) == Money(0, EUR)
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(0, EUR)
    with pytest.raises(AlreadyReversed):
        ledger_reverse(transaction_=tx, reason="again", by=board)


def test_an_idempotency_key_books_once(bob: User) -> None:
    entries = [
        (coop_account(AccountKind.CLEARING), Money(500, EUR)),
        (member_account(bob, AccountKind.MEMBER_PAYABLE), Money(-500, EUR)),
    ]
    first = ledger_post(
        entries=entries, cause=Cause(service="t"), description="x", idempotency_key="k1"
    )
    second = ledger_post(
        entries=entries, cause=Cause(service="t"), description="x", idempotency_key="k1"
    )
    assert first == second
    assert account_balance(member_account(bob, AccountKind.MEMBER_PAYABLE)) == Money(-500, EUR)


def test_ledger_check_passes_on_a_sound_ledger(
    bob: User, capsys: pytest.CaptureFixture[str]
) -> None:
    _fee(bob)
    _fee(bob, 2000)
    call_command("ledger_check")
    assert "Ledger OK" in capsys.readouterr().out


@pytest.mark.ledger_tampered
def test_ledger_check_finds_a_tampered_cached_balance(bob: User) -> None:
    _fee(bob)
    payable = member_account(bob, AccountKind.MEMBER_PAYABLE)
    Account.objects.filter(pk=payable.pk).update(balance_cents=-1)
    with pytest.raises(CommandError) as error:
        call_command("ledger_check")
    assert error.value.returncode == 1
    problems = [str(problem) for problem in ledger_problems()]
    assert any("Payable to member: Bob" in problem for problem in problems)


def test_a_payout_batch_pays_what_is_owed_once(bob: User, alice: User) -> None:
    _fee(bob, 2000)
    _fee(alice, 1000)
    result = payout_batch(batch_id="2026-11")
    assert {(p.member, p.amount_cents) for p in result.payouts} == {(bob, 1800), (alice, 900)}
    assert account_balance(member_account(bob, AccountKind.MEMBER_PAYABLE)) == Money(0, EUR)
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(300, EUR)
    again = payout_batch(batch_id="2026-11")
    assert again.payouts == []
    assert Payout.objects.count() == 2
    call_command("payout_batch", "2026-12")
    assert Payout.objects.count() == 2  # nothing owed any more
    assert ledger_problems() == []


def test_a_payout_batch_id_must_be_a_slug(db: None) -> None:
    from coop.exceptions import InvalidInput  # noqa: PLC0415

    with pytest.raises(InvalidInput):
        payout_batch(batch_id="November batch!")
