"""Tests for the SQLite support-desk backend."""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from supportdesk import RETURN_ADDRESS, NotReturnable, SupportDesk, normalize_id

T = TypeVar("T")


def race(n: int, call: Callable[[], T]) -> list[T]:
    """Start `call` in n threads at once and return every result."""
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: call(), range(n)))


@pytest.fixture
def desk(tmp_path: Path) -> SupportDesk:
    """Return a desk on a fresh database file in a not-yet-existing folder."""
    return SupportDesk(tmp_path / "data" / "desk.sqlite")


def test_normalize_id() -> None:
    """Strip decoration and upper-case ids."""
    assert normalize_id("#inv-7890") == "INV-7890"
    assert normalize_id(" a-12345 ") == "A-12345"
    assert normalize_id("'#INV-7890'.") == "INV-7890"
    assert normalize_id('"a-12345",') == "A-12345"


def test_seeded_invoice(desk: SupportDesk) -> None:
    """Read the seeded INV-7890 invoice."""
    invoice = desk.find_invoice("INV-7890")
    assert invoice is not None
    assert invoice.customer == "Alex Doe"
    assert invoice.amount == pytest.approx(189.00)
    assert invoice.previous_amount == pytest.approx(129.00)
    assert (invoice.currency, invoice.status, invoice.issued_on) == (
        "EUR",
        "open",
        "2026-10-01",
    )


def test_lookups_normalise_ids(desk: SupportDesk) -> None:
    """Find records through messy ids."""
    invoice = desk.find_invoice("#inv-7890")
    assert invoice is not None and invoice.invoice_number == "INV-7890"
    order = desk.order_status(" a-12345 ")
    assert order is not None and order.order_id == "A-12345"


def test_seeded_orders(desk: SupportDesk) -> None:
    """Read seeded order statuses, including one without a carrier."""
    delayed = desk.order_status("A-12345")
    assert delayed is not None
    assert (delayed.status, delayed.tracking_number) == ("Delayed", "SP40802")
    assert delayed.carrier == "Standard Post"
    processing = desk.order_status("A-12348")
    assert processing is not None
    assert processing.status == "Processing"
    assert processing.carrier is None and processing.tracking_number is None


def test_unknown_ids_return_none(desk: SupportDesk) -> None:
    """Return None for anything that is not in the database."""
    assert desk.find_invoice("INV-0000") is None
    assert desk.order_status("Z-99999") is None
    assert desk.open_case(request_id="t", task_key="k", invoice_number="INV-0000", concern="x") is None
    assert desk.issue_rma(request_id="t", task_key="k", product_name="Hoverboard", reason="x") is None
    assert desk.issue_rma(request_id="t", task_key="k", product_name="   ", reason="x") is None
    assert desk.count_cases() == 0
    assert desk.count_rmas() == 0


def test_open_case_is_idempotent(desk: SupportDesk) -> None:
    """Replay the same (thread_id, task_key) and get the same case back."""
    first = desk.open_case(
        request_id="t1",
        task_key="billing",
        invoice_number="#inv-7890",
        concern="Charged twice",
    )
    second = desk.open_case(
        request_id="t1",
        task_key="billing",
        invoice_number="INV-7890",
        concern="Charged twice",
    )
    assert first is not None and second is not None
    assert first.created and not second.created
    assert first.case_id == second.case_id
    assert re.fullmatch(r"CASE-\d{5}", first.case_id)
    assert first.invoice_number == "INV-7890"
    assert first.eta_business_days == 2
    assert desk.count_cases() == 1


def test_open_case_concurrent_replays(desk: SupportDesk) -> None:
    """Create exactly one case when ten threads race on one key."""
    cases = race(
        10, lambda: desk.open_case(request_id="t1", task_key="billing", invoice_number="INV-7890", concern="c")
    )
    assert all(case is not None for case in cases)
    assert len({case.case_id for case in cases if case is not None}) == 1
    assert sum(case.created for case in cases if case is not None) == 1
    assert desk.count_cases() == 1


def test_different_threads_get_different_cases(desk: SupportDesk) -> None:
    """Open a new case for a new thread, with a longer ETA for big invoices."""
    a = desk.open_case(request_id="t1", task_key="k", invoice_number="INV-7890", concern="c")
    b = desk.open_case(request_id="t2", task_key="k", invoice_number="INV-7893", concern="c")
    assert a is not None and b is not None
    assert (a.case_id, b.case_id) == ("CASE-00001", "CASE-00002")
    assert b.created and b.eta_business_days == 5
    assert desk.count_cases() == 2


def test_issue_rma_is_idempotent(desk: SupportDesk) -> None:
    """Issue one RMA per key, sequentially and under concurrency."""
    first = desk.issue_rma(
        request_id="t1",
        task_key="return",
        product_name="SuperWidget 5000",
        reason="Broken",
    )
    assert first is not None and first.created
    assert re.fullmatch(r"RMA-\d{6}", first.rma_number)
    assert first.product_name == "SuperWidget 5000"
    for needle in (
        "SuperWidget 5000",
        first.rma_number,
        RETURN_ADDRESS,
        "accessories",
        "manuals",
    ):
        assert needle in first.shipping_instructions
    replays = race(
        10, lambda: desk.issue_rma(request_id="t1", task_key="return", product_name="MegaHub Pro", reason="x")
    )
    assert all(r is not None and r.rma_number == first.rma_number and not r.created for r in replays)
    assert desk.count_rmas() == 1
    other = desk.issue_rma(request_id="t2", task_key="return", product_name="MegaHub Pro", reason="x")
    assert other is not None and other.created and other.rma_number != first.rma_number
    assert desk.count_rmas() == 2


def test_issue_rma_concurrent_first_call(desk: SupportDesk) -> None:
    """Create exactly one RMA when ten threads race on a fresh key."""
    rmas = race(10, lambda: desk.issue_rma(request_id="t", task_key="k", product_name="Quantum Mouse", reason="r"))
    assert len({r.rma_number for r in rmas if r is not None}) == 1
    assert sum(r.created for r in rmas if r is not None) == 1
    assert desk.count_rmas() == 1


@pytest.mark.parametrize(
    "raw",
    [
        "SuperWidget5000",
        "super widget 5000",
        "'superwidget-5000'",
        " SUPERWIDGET 5000 ",
        "sw5000",
    ],
)
def test_product_aliases(desk: SupportDesk, raw: str) -> None:
    """Resolve loosely written product names to the canonical name."""
    rma = desk.issue_rma(request_id="t", task_key=raw, product_name=raw, reason="r")
    assert rma is not None and rma.product_name == "SuperWidget 5000"


def test_plural_product_name_is_not_matched(desk: SupportDesk) -> None:
    """Keep a trailing 's' significant."""
    assert desk.issue_rma(request_id="t", task_key="k", product_name="Quantum Mouses", reason="r") is None


def test_gift_card_is_not_returnable(desk: SupportDesk) -> None:
    """Refuse returns for non-returnable products without writing a row."""
    with pytest.raises(NotReturnable, match="Gift Card") as info:
        desk.issue_rma(request_id="t", task_key="k", product_name="gift card", reason="r")
    assert info.value.product_name == "Gift Card"
    assert desk.count_rmas() == 0


def test_setup_twice_is_harmless(desk: SupportDesk) -> None:
    """Run setup repeatedly, also concurrently, without duplicating anything."""
    desk.setup()
    desk.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
    race(3, lambda: SupportDesk(desk.path).setup())
    assert desk.count_cases() == 1
    assert (desk.find_invoice("INV-7890")) is not None


def test_data_persists_across_instances(tmp_path: Path) -> None:
    """See one instance's writes from another instance on the same file."""
    path = tmp_path / "desk.sqlite"
    case = SupportDesk(path).open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
    assert case is not None and case.created
    again = SupportDesk(path)
    replay = again.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
    assert replay is not None and replay.case_id == case.case_id and not replay.created
    assert again.count_cases() == 1


def test_first_calls_from_several_threads_do_not_collide(tmp_path: Path) -> None:
    # Workers of one run make their first desk calls at once from several threads; no lock spans
    # the set-ups of separate desk instances or processes, so set-up retries "database is locked".
    for trial in range(20):
        path = tmp_path / f"race-{trial}.sqlite"
        statuses = race(4, lambda path=path: SupportDesk(path).order_status("A-12345"))
        assert all(s is not None and s.status == "Delayed" for s in statuses)
