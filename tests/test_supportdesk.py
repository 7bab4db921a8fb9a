"""Tests for the SQLite support-desk backend."""

import asyncio
import re
import threading
from pathlib import Path

import pytest

from supportdesk import RETURN_ADDRESS, NotReturnable, SupportDesk, normalize_id


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


@pytest.mark.asyncio
async def test_seeded_invoice(desk: SupportDesk) -> None:
    """Read the seeded INV-7890 invoice."""
    invoice = await desk.find_invoice("INV-7890")
    assert invoice is not None
    assert invoice.customer == "Alex Doe"
    assert invoice.amount == pytest.approx(189.00)
    assert invoice.previous_amount == pytest.approx(129.00)
    assert (invoice.currency, invoice.status, invoice.issued_on) == (
        "EUR",
        "open",
        "2026-10-01",
    )


@pytest.mark.asyncio
async def test_lookups_normalise_ids(desk: SupportDesk) -> None:
    """Find records through messy ids."""
    invoice = await desk.find_invoice("#inv-7890")
    assert invoice is not None and invoice.invoice_number == "INV-7890"
    order = await desk.order_status(" a-12345 ")
    assert order is not None and order.order_id == "A-12345"


@pytest.mark.asyncio
async def test_seeded_orders(desk: SupportDesk) -> None:
    """Read seeded order statuses, including one without a carrier."""
    delayed = await desk.order_status("A-12345")
    assert delayed is not None
    assert (delayed.status, delayed.tracking_number) == ("Delayed", "SP40802")
    assert delayed.carrier == "Standard Post"
    processing = await desk.order_status("A-12348")
    assert processing is not None
    assert processing.status == "Processing"
    assert processing.carrier is None and processing.tracking_number is None


@pytest.mark.asyncio
async def test_unknown_ids_return_none(desk: SupportDesk) -> None:
    """Return None for anything that is not in the database."""
    assert await desk.find_invoice("INV-0000") is None
    assert await desk.order_status("Z-99999") is None
    assert await desk.open_case(thread_id="t", task_key="k", invoice_number="INV-0000", concern="x") is None
    assert await desk.issue_rma(thread_id="t", task_key="k", product_name="Hoverboard", reason="x") is None
    assert await desk.issue_rma(thread_id="t", task_key="k", product_name="   ", reason="x") is None
    assert await desk.count_cases() == 0
    assert await desk.count_rmas() == 0


@pytest.mark.asyncio
async def test_open_case_is_idempotent(desk: SupportDesk) -> None:
    """Replay the same (thread_id, task_key) and get the same case back."""
    first = await desk.open_case(
        thread_id="t1",
        task_key="billing",
        invoice_number="#inv-7890",
        concern="Charged twice",
    )
    second = await desk.open_case(
        thread_id="t1",
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
    assert await desk.count_cases() == 1


@pytest.mark.asyncio
async def test_open_case_concurrent_replays(desk: SupportDesk) -> None:
    """Create exactly one case when ten coroutines race on one key."""
    cases = await asyncio.gather(
        *(
            desk.open_case(
                thread_id="t1",
                task_key="billing",
                invoice_number="INV-7890",
                concern="c",
            )
            for _ in range(10)
        )
    )
    assert all(case is not None for case in cases)
    assert len({case.case_id for case in cases if case is not None}) == 1
    assert sum(case.created for case in cases if case is not None) == 1
    assert await desk.count_cases() == 1


@pytest.mark.asyncio
async def test_different_threads_get_different_cases(desk: SupportDesk) -> None:
    """Open a new case for a new thread, with a longer ETA for big invoices."""
    a = await desk.open_case(thread_id="t1", task_key="k", invoice_number="INV-7890", concern="c")
    b = await desk.open_case(thread_id="t2", task_key="k", invoice_number="INV-7893", concern="c")
    assert a is not None and b is not None
    assert (a.case_id, b.case_id) == ("CASE-00001", "CASE-00002")
    assert b.created and b.eta_business_days == 5
    assert await desk.count_cases() == 2


@pytest.mark.asyncio
async def test_issue_rma_is_idempotent(desk: SupportDesk) -> None:
    """Issue one RMA per key, sequentially and under concurrency."""
    first = await desk.issue_rma(
        thread_id="t1",
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
    replays = await asyncio.gather(
        *(
            desk.issue_rma(
                thread_id="t1",
                task_key="return",
                product_name="MegaHub Pro",
                reason="x",
            )
            for _ in range(10)
        )
    )
    assert all(r is not None and r.rma_number == first.rma_number and not r.created for r in replays)
    assert await desk.count_rmas() == 1
    other = await desk.issue_rma(thread_id="t2", task_key="return", product_name="MegaHub Pro", reason="x")
    assert other is not None and other.created and other.rma_number != first.rma_number
    assert await desk.count_rmas() == 2


@pytest.mark.asyncio
async def test_issue_rma_concurrent_first_call(desk: SupportDesk) -> None:
    """Create exactly one RMA when ten coroutines race on a fresh key."""
    rmas = await asyncio.gather(
        *(desk.issue_rma(thread_id="t", task_key="k", product_name="Quantum Mouse", reason="r") for _ in range(10))
    )
    assert len({r.rma_number for r in rmas if r is not None}) == 1
    assert sum(r.created for r in rmas if r is not None) == 1
    assert await desk.count_rmas() == 1


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
@pytest.mark.asyncio
async def test_product_aliases(desk: SupportDesk, raw: str) -> None:
    """Resolve loosely written product names to the canonical name."""
    rma = await desk.issue_rma(thread_id="t", task_key=raw, product_name=raw, reason="r")
    assert rma is not None and rma.product_name == "SuperWidget 5000"


@pytest.mark.asyncio
async def test_plural_product_name_is_not_matched(desk: SupportDesk) -> None:
    """Keep a trailing 's' significant."""
    assert await desk.issue_rma(thread_id="t", task_key="k", product_name="Quantum Mouses", reason="r") is None


@pytest.mark.asyncio
async def test_gift_card_is_not_returnable(desk: SupportDesk) -> None:
    """Refuse returns for non-returnable products without writing a row."""
    with pytest.raises(NotReturnable, match="Gift Card") as info:
        await desk.issue_rma(thread_id="t", task_key="k", product_name="gift card", reason="r")
    assert info.value.product_name == "Gift Card"
    assert await desk.count_rmas() == 0


@pytest.mark.asyncio
async def test_setup_twice_is_harmless(desk: SupportDesk) -> None:
    """Run setup repeatedly, also concurrently, without duplicating anything."""
    await desk.setup()
    await desk.open_case(thread_id="t", task_key="k", invoice_number="INV-7890", concern="c")
    await asyncio.gather(desk.setup(), desk.setup(), SupportDesk(desk.path).setup())
    assert await desk.count_cases() == 1
    assert (await desk.find_invoice("INV-7890")) is not None


@pytest.mark.asyncio
async def test_data_persists_across_instances(tmp_path: Path) -> None:
    """See one instance's writes from another instance on the same file."""
    path = tmp_path / "desk.sqlite"
    case = await SupportDesk(path).open_case(thread_id="t", task_key="k", invoice_number="INV-7890", concern="c")
    assert case is not None and case.created
    again = SupportDesk(path)
    replay = await again.open_case(thread_id="t", task_key="k", invoice_number="INV-7890", concern="c")
    assert replay is not None and replay.case_id == case.case_id and not replay.created
    assert await again.count_cases() == 1


def test_first_calls_from_several_event_loops_do_not_collide(tmp_path: Path) -> None:
    # Sync graph.invoke runs each worker in an event loop of its own, so no asyncio lock spans
    # their first-time set-ups; before the retry about 1 trial in 20 failed with "database is locked".
    errors: list[BaseException] = []
    for trial in range(20):
        desk = SupportDesk(tmp_path / f"race-{trial}.sqlite")

        def first_call(desk: SupportDesk = desk) -> None:
            try:
                asyncio.run(desk.order_status("A-12345"))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=first_call) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
