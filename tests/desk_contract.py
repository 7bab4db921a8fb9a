"""What every support desk promises, whatever database holds it: one suite, run on each backend.

A backend's test class inherits `DeskContract` and supplies two fixtures: `fresh_url`, a factory
that returns the URL of a new, empty desk of that backend (a new file, a new schema), and
`execute`, which runs one SQL statement on a desk's database behind the desk's back.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
import pytest

from supportdesk import RETURN_ADDRESS, Desk, NotReturnable, desk_from_url

T = TypeVar("T")
NewUrl = Callable[[], str]
MakeDesk = Callable[[str], Desk]
Execute = Callable[[str, str], None]

PROCESSES = 6
THREADS_PER_PROCESS = 4


def race(n: int, call: Callable[[], T]) -> list[T]:
    """Start `call` in n threads at once and return every result."""
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: call(), range(n)))


def _case_and_rma(desk: Desk, request_id: str) -> tuple[tuple[str, bool], tuple[str, bool]]:
    case = desk.open_case(request_id=request_id, task_key="billing", invoice_number="INV-7890", concern="c")
    rma = desk.issue_rma(request_id=request_id, task_key="return", product_name="Quantum Mouse", reason="r")
    assert case is not None and rma is not None
    return (case.case_id, case.created), (rma.rma_number, rma.created)


def race_in_process(url: str, start: Any, results: Any, threads: int) -> None:
    """In a process of its own: open the desk, then race first calls, then replays, on one key."""
    desk = desk_from_url(url)
    try:
        start.wait(timeout=120)
        first = race(threads, lambda: _case_and_rma(desk, "shared-request"))
        start.wait(timeout=120)
        replays = race(threads, lambda: _case_and_rma(desk, "shared-request"))
        results.put((os.getpid(), first, replays, None))
    except Exception as exc:
        # Report, and release the others from the barrier rather than leave them waiting.
        start.abort()
        results.put((os.getpid(), [], [], f"{type(exc).__name__}: {exc}"))
    finally:
        desk.close()


class DeskContract:
    """The behaviour of a support desk; subclasses provide the `fresh_url` fixture."""

    @pytest.fixture
    def make_desk(self, fresh_url: NewUrl) -> Iterator[MakeDesk]:
        """Open new (unshared) desk instances, closed when the test ends."""
        made: list[Desk] = []

        def make(url: str) -> Desk:
            made.append(desk_from_url(url))
            return made[-1]

        yield make
        for desk in made:
            desk.close()

    @pytest.fixture
    def desk(self, make_desk: MakeDesk, fresh_url: NewUrl) -> Desk:
        """A desk on a store nobody has touched yet."""
        return make_desk(fresh_url())

    def test_seeded_invoice(self, desk: Desk) -> None:
        invoice = desk.find_invoice("INV-7890")
        assert invoice is not None
        assert invoice.customer == "Alex Doe"
        assert invoice.amount == 189.00 and invoice.previous_amount == 129.00
        assert (invoice.currency, invoice.status, invoice.issued_on) == ("EUR", "open", "2026-10-01")
        # Stored as 8-byte floats everywhere: 59.90 comes back exactly as written.
        other = desk.find_invoice("INV-7891")
        assert other is not None and other.amount == 59.90

    def test_lookups_normalise_ids(self, desk: Desk) -> None:
        invoice = desk.find_invoice("#inv-7890")
        assert invoice is not None and invoice.invoice_number == "INV-7890"
        # The desk's own numbers are INV-<digits>: the digits alone, as a customer writes them, are the same invoice.
        for written in ("7890", "#7890", "inv 7890", "INV7890"):
            found = desk.find_invoice(written)
            assert found is not None and found.invoice_number == "INV-7890", written
        order = desk.order_status(" a-12345 ")
        assert order is not None and order.order_id == "A-12345"

    def test_seeded_orders(self, desk: Desk) -> None:
        delayed = desk.order_status("A-12345")
        assert delayed is not None
        assert (delayed.status, delayed.tracking_number, delayed.carrier) == ("Delayed", "SP40802", "Standard Post")
        processing = desk.order_status("A-12348")
        assert processing is not None
        assert processing.status == "Processing"
        assert processing.carrier is None and processing.tracking_number is None

    def test_unknown_ids_return_none(self, desk: Desk) -> None:
        assert desk.find_invoice("INV-0000") is None
        # Another shape with the same digits is another invoice, never the desk's own.
        for written in ("FAC-7890", "RE-7890", "7890-A", "2024/7890", "78900"):
            assert desk.find_invoice(written) is None, written
        assert desk.order_status("Z-99999") is None
        assert desk.open_case(request_id="t", task_key="k", invoice_number="INV-0000", concern="x") is None
        assert desk.issue_rma(request_id="t", task_key="k", product_name="Hoverboard", reason="x") is None
        assert desk.issue_rma(request_id="t", task_key="k", product_name="   ", reason="x") is None
        assert (desk.count_cases(), desk.count_rmas()) == (0, 0)

    def test_open_case_is_idempotent(self, desk: Desk) -> None:
        first = desk.open_case(request_id="t1", task_key="billing", invoice_number="#inv-7890", concern="Charged twice")
        second = desk.open_case(request_id="t1", task_key="billing", invoice_number="INV-7890", concern="Other")
        assert first is not None and second is not None
        assert first.created and not second.created
        assert first.case_id == second.case_id == "CASE-00001"
        assert (second.invoice_number, second.concern, second.eta_business_days) == ("INV-7890", "Charged twice", 2)
        assert desk.count_cases() == 1

    def test_different_requests_get_different_cases(self, desk: Desk) -> None:
        a = desk.open_case(request_id="t1", task_key="k", invoice_number="INV-7890", concern="c")
        b = desk.open_case(request_id="t2", task_key="k", invoice_number="INV-7893", concern="c")
        c = desk.open_case(request_id="t1", task_key="k2", invoice_number="INV-7890", concern="c")
        assert a is not None and b is not None and c is not None
        assert (a.case_id, b.case_id, c.case_id) == ("CASE-00001", "CASE-00002", "CASE-00003")
        assert b.created and b.eta_business_days == 5
        assert desk.count_cases() == 3

    def test_replays_leave_no_gaps_in_numbering(self, desk: Desk) -> None:
        for _ in range(5):
            desk.open_case(request_id="t1", task_key="k", invoice_number="INV-7890", concern="c")
            desk.issue_rma(request_id="t1", task_key="k", product_name="MegaHub Pro", reason="r")
        case = desk.open_case(request_id="t2", task_key="k", invoice_number="INV-7890", concern="c")
        rma = desk.issue_rma(request_id="t2", task_key="k", product_name="MegaHub Pro", reason="r")
        assert case is not None and rma is not None
        assert (case.case_id, rma.rma_number) == ("CASE-00002", "RMA-000002")

    def test_threads_racing_on_a_new_key_create_one_case(self, desk: Desk) -> None:
        for n in range(1, 4):
            cases = race(
                10, lambda n=n: desk.open_case(request_id=f"t{n}", task_key="k", invoice_number="INV-7890", concern="c")
            )
            # One case, and the losers drew no number: the next key gets the next one.
            assert {case.case_id for case in cases if case is not None} == {f"CASE-{n:05d}"}
            assert sum(case.created for case in cases if case is not None) == 1
        assert desk.count_cases() == 3

    def test_threads_racing_on_a_new_key_create_one_rma(self, desk: Desk) -> None:
        for n in range(1, 4):
            rmas = race(
                10, lambda n=n: desk.issue_rma(request_id=f"t{n}", task_key="k", product_name="QMouse", reason="r")
            )
            assert {r.rma_number for r in rmas if r is not None} == {f"RMA-{n:06d}"}
            assert sum(r.created for r in rmas if r is not None) == 1
        assert desk.count_rmas() == 3

    def test_the_database_itself_refuses_a_second_case_or_rma_per_key(self, desk: Desk, execute: Execute) -> None:
        # Whatever a writer does (no ON CONFLICT, no turn-taking), the UNIQUE constraints hold.
        desk.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
        desk.issue_rma(request_id="t", task_key="k", product_name="QMouse", reason="r")
        for statement in (
            "INSERT INTO cases (request_id, task_key, invoice_number, concern, eta_business_days)"
            " VALUES ('t', 'k', 'INV-7890', 'again', 2)",
            "INSERT INTO rmas (request_id, task_key, sku, reason) VALUES ('t', 'k', 'QM-01', 'again')",
        ):
            with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError), match=r"(?i)unique"):
                execute(desk.url, statement)
        assert (desk.count_cases(), desk.count_rmas()) == (1, 1)

    def test_issue_rma_is_idempotent(self, desk: Desk) -> None:
        first = desk.issue_rma(request_id="t1", task_key="return", product_name="SuperWidget 5000", reason="Broken")
        assert first is not None and first.created
        assert re.fullmatch(r"RMA-\d{6}", first.rma_number)
        assert first.product_name == "SuperWidget 5000"
        for needle in ("SuperWidget 5000", first.rma_number, RETURN_ADDRESS, "accessories", "manuals", "30 days"):
            assert needle in first.shipping_instructions
        replays = race(
            10, lambda: desk.issue_rma(request_id="t1", task_key="return", product_name="MegaHub Pro", reason="x")
        )
        assert all(r is not None and r.rma_number == first.rma_number and not r.created for r in replays)
        assert all(r is not None and (r.product_name, r.reason) == ("SuperWidget 5000", "Broken") for r in replays)
        assert desk.count_rmas() == 1
        other = desk.issue_rma(request_id="t2", task_key="return", product_name="MegaHub Pro", reason="x")
        assert other is not None and other.created and other.rma_number != first.rma_number
        assert desk.count_rmas() == 2

    @pytest.mark.parametrize(
        "raw", ["SuperWidget5000", "super widget 5000", "'superwidget-5000'", " SUPERWIDGET 5000 ", "sw5000"]
    )
    def test_product_aliases(self, desk: Desk, raw: str) -> None:
        rma = desk.issue_rma(request_id="t", task_key=raw, product_name=raw, reason="r")
        assert rma is not None and rma.product_name == "SuperWidget 5000"

    def test_plural_product_name_is_not_matched(self, desk: Desk) -> None:
        assert desk.issue_rma(request_id="t", task_key="k", product_name="Quantum Mouses", reason="r") is None

    def test_gift_card_is_not_returnable(self, desk: Desk) -> None:
        with pytest.raises(NotReturnable, match="Gift Card") as info:
            desk.issue_rma(request_id="t", task_key="k", product_name="gift card", reason="r")
        assert info.value.product_name == "Gift Card"
        assert desk.count_rmas() == 0

    def test_setup_twice_is_harmless(self, desk: Desk, make_desk: MakeDesk) -> None:
        desk.setup()
        desk.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
        others = [make_desk(desk.url) for _ in range(3)]
        race(3, lambda: others.pop().setup())
        assert desk.count_cases() == 1
        assert desk.find_invoice("INV-7890") is not None

    def test_data_persists_across_instances(self, desk: Desk, make_desk: MakeDesk) -> None:
        case = desk.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
        assert case is not None and case.created
        again = make_desk(desk.url)
        replay = again.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
        assert replay is not None and replay.case_id == case.case_id and not replay.created
        assert again.count_cases() == 1

    def test_first_calls_from_several_instances_do_not_collide(self, fresh_url: NewUrl, make_desk: MakeDesk) -> None:
        # Workers make their first desk calls at once, each set-up racing the others on a new store.
        for _ in range(10):
            desks = [make_desk(url) for url in [fresh_url()] * 4]
            statuses = race(4, lambda desks=desks: desks.pop().order_status("A-12345"))
            assert all(s is not None and s.status == "Delayed" for s in statuses)

    def test_processes_racing_on_one_key_create_one_case_and_one_rma(
        self, fresh_url: NewUrl, make_desk: MakeDesk
    ) -> None:
        # Separate processes (spawned: nothing inherited) set up a new store and race on one key
        # from several threads each, then replay it the same way.
        url = fresh_url()
        context = multiprocessing.get_context("spawn")
        start = context.Barrier(PROCESSES)
        results = context.Queue()
        processes = [
            context.Process(target=race_in_process, args=(url, start, results, THREADS_PER_PROCESS))
            for _ in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        reports = [results.get(timeout=180) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        assert [error for *_, error in reports] == [None] * PROCESSES
        assert [p.exitcode for p in processes] == [0] * PROCESSES
        assert len({pid for pid, *_ in reports}) == PROCESSES
        first = [call for _, calls, _, _ in reports for call in calls]
        replays = [call for _, _, calls, _ in reports for call in calls]
        assert len(first) == len(replays) == PROCESSES * THREADS_PER_PROCESS
        cases = [case for case, _ in first + replays]
        rmas = [rma for _, rma in first + replays]
        assert {case_id for case_id, _ in cases} == {"CASE-00001"}
        assert {rma_number for rma_number, _ in rmas} == {"RMA-000001"}
        assert sum(created for _, created in cases) == sum(created for _, created in rmas) == 1
        assert not any(created for (_, created), _ in replays)
        desk = make_desk(url)
        assert (desk.count_cases(), desk.count_rmas()) == (1, 1)
