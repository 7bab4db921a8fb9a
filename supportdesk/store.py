"""SQLite-backed support desk: invoices, cases, orders, products and RMAs."""

import asyncio
import os
import sqlite3
import string
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final, Literal

import aiosqlite

from supportdesk.models import Case, Invoice, NotReturnable, OrderStatus, Rma
from supportdesk.seed import INVOICES, ORDERS, PRODUCTS

_SCHEMA_PATH: Final = Path(__file__).with_name("schema.sql")
_SETUP_ATTEMPTS: Final = 8
_BUSY_TIMEOUT_S: Final = 5.0
_QUOTES: Final = "'\"`\u2018\u2019\u201c\u201d"
_ID_JUNK: Final = string.whitespace + _QUOTES + "#.,;:!?()[]"
_NAME_JUNK: Final = string.whitespace + _QUOTES + ".,;:!?"
_LARGE_INVOICE: Final = 1000.0
RETURN_ADDRESS: Final = "Returns Department, 123 Automation Lane, Tech City, TC 98765"

# Both sides compare on the same key: lower-case, spaces and hyphens removed.
# A name match wins over an alias match should the two ever collide.
_FIND_PRODUCT_SQL: Final = """
    SELECT sku, name, returnable, return_window_days FROM products
    WHERE replace(replace(lower(name), ' ', ''), '-', '') = :key
       OR replace(replace(lower(alias), ' ', ''), '-', '') = :key
    ORDER BY replace(replace(lower(name), ' ', ''), '-', '') = :key DESC
    LIMIT 1
"""
_COUNT_SQL: Final = {
    "cases": "SELECT count(*) FROM cases",
    "rmas": "SELECT count(*) FROM rmas",
}


def normalize_id(raw: str) -> str:
    """Strip quotes, '#', punctuation and whitespace from the ends; upper-case."""
    return raw.strip(_ID_JUNK).upper()


def _product_key(raw: str) -> str:
    return raw.strip(_NAME_JUNK).lower().replace(" ", "").replace("-", "")


def _case_id(row_id: int) -> str:
    return f"CASE-{row_id:05d}"


def _rma_number(row_id: int) -> str:
    return f"RMA-{row_id:06d}"


def _shipping_instructions(product_name: str, rma_number: str, window_days: int) -> str:
    return (
        f"Pack the {product_name} in its original packaging, including all accessories"
        f" and manuals. Write RMA number {rma_number} clearly on the outside of the box"
        f" and ship it within {window_days} days to: {RETURN_ADDRESS}."
    )


class SupportDesk:
    """Serve support-desk reads and idempotent writes from one SQLite file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Remember the database path; nothing touches disk until first use."""
        self.path = Path(path)
        self._ready = False
        # One lock per event loop: sync invoke runs nodes in loops of their own.
        self._setup_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[aiosqlite.Connection]:
        async with aiosqlite.connect(self.path, timeout=_BUSY_TIMEOUT_S) as db:
            db.row_factory = aiosqlite.Row
            # busy_timeout must be in force before the WAL switch, which needs a lock.
            await db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            yield db

    async def setup(self) -> None:
        """Create the parent directory, tables and seed rows if they are missing."""
        # File work goes to a thread: an ASGI server's event loop must never block on disk.
        await asyncio.to_thread(self.path.parent.mkdir, parents=True, exist_ok=True)
        schema = await asyncio.to_thread(_SCHEMA_PATH.read_text, encoding="utf-8")
        for attempt in range(_SETUP_ATTEMPTS):
            try:
                await self._create_and_seed(schema)
                break
            except sqlite3.OperationalError as exc:
                # Set-ups racing from other event loops or processes (no lock spans them): the WAL
                # switch and DDL can report "locked" without waiting. Set-up is idempotent: retry.
                if "locked" not in str(exc) or attempt == _SETUP_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.02 * 2**attempt)
        self._ready = True

    async def _create_and_seed(self, schema: str) -> None:
        async with self._connect() as db:
            await db.executescript(schema)
            await db.executemany(
                "INSERT OR IGNORE INTO invoices (invoice_number, customer, amount,"
                " currency, issued_on, status, previous_amount)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                INVOICES,
            )
            await db.executemany(
                "INSERT OR IGNORE INTO orders (order_id, status, carrier,"
                " tracking_number, expected_delivery) VALUES (?, ?, ?, ?, ?)",
                ORDERS,
            )
            await db.executemany(
                "INSERT OR IGNORE INTO products (sku, name, alias, price, returnable,"
                " return_window_days) VALUES (?, ?, ?, ?, ?, ?)",
                PRODUCTS,
            )
            await db.commit()

    async def _ensure_ready(self) -> None:
        if self._ready:
            return
        # Set-up is idempotent; across loops SQLite's busy timeout serialises the rare overlap.
        lock = self._setup_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            if not self._ready:
                await self.setup()

    async def find_invoice(self, invoice_number: str) -> Invoice | None:
        """Return the invoice with this number, or None if it does not exist."""
        await self._ensure_ready()
        async with self._connect() as db:
            cursor = await db.execute(
                "SELECT * FROM invoices WHERE invoice_number = ?",
                (normalize_id(invoice_number),),
            )
            row = await cursor.fetchone()
        if row is None:
            return None
        return Invoice(
            invoice_number=row["invoice_number"],
            customer=row["customer"],
            amount=row["amount"],
            currency=row["currency"],
            issued_on=row["issued_on"],
            status=row["status"],
            previous_amount=row["previous_amount"],
        )

    async def open_case(self, *, thread_id: str, task_key: str, invoice_number: str, concern: str) -> Case | None:
        """Open a case once per (thread_id, task_key); None for an unknown invoice."""
        invoice = await self.find_invoice(invoice_number)
        if invoice is None:
            return None
        eta = 5 if invoice.amount > _LARGE_INVOICE else 2
        async with self._connect() as db:
            cursor = await db.execute(
                "INSERT INTO cases (thread_id, task_key, invoice_number, concern,"
                " eta_business_days) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (thread_id, task_key) DO NOTHING",
                (thread_id, task_key, invoice.invoice_number, concern, eta),
            )
            created = cursor.rowcount == 1
            cursor = await db.execute(
                "SELECT id, invoice_number, concern, eta_business_days FROM cases WHERE thread_id = ? AND task_key = ?",
                (thread_id, task_key),
            )
            row = await cursor.fetchone()
            await db.commit()
        if row is None:
            raise LookupError(f"case for ({thread_id!r}, {task_key!r}) vanished after insert")
        return Case(
            case_id=_case_id(row["id"]),
            invoice_number=row["invoice_number"],
            concern=row["concern"],
            eta_business_days=row["eta_business_days"],
            created=created,
        )

    async def issue_rma(self, *, thread_id: str, task_key: str, product_name: str, reason: str) -> Rma | None:
        """Issue an RMA once per (thread_id, task_key); None if the product is unknown.

        Raises:
            NotReturnable: The product exists but cannot be returned.
        """
        await self._ensure_ready()
        async with self._connect() as db:
            cursor = await db.execute(_FIND_PRODUCT_SQL, {"key": _product_key(product_name)})
            product = await cursor.fetchone()
            if product is None:
                return None
            if not product["returnable"]:
                raise NotReturnable(product["name"])
            cursor = await db.execute(
                "INSERT INTO rmas (thread_id, task_key, sku, reason)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (thread_id, task_key) DO NOTHING",
                (thread_id, task_key, product["sku"], reason),
            )
            created = cursor.rowcount == 1
            cursor = await db.execute(
                "SELECT r.id, r.reason, p.name, p.return_window_days"
                " FROM rmas AS r JOIN products AS p ON p.sku = r.sku"
                " WHERE r.thread_id = ? AND r.task_key = ?",
                (thread_id, task_key),
            )
            row = await cursor.fetchone()
            await db.commit()
        if row is None:
            raise LookupError(f"RMA for ({thread_id!r}, {task_key!r}) vanished after insert")
        rma_number = _rma_number(row["id"])
        return Rma(
            rma_number=rma_number,
            product_name=row["name"],
            reason=row["reason"],
            shipping_instructions=_shipping_instructions(row["name"], rma_number, row["return_window_days"]),
            created=created,
        )

    async def order_status(self, order_id: str) -> OrderStatus | None:
        """Return the fulfilment status of an order, or None if it does not exist."""
        await self._ensure_ready()
        async with self._connect() as db:
            cursor = await db.execute("SELECT * FROM orders WHERE order_id = ?", (normalize_id(order_id),))
            row = await cursor.fetchone()
        if row is None:
            return None
        return OrderStatus(
            order_id=row["order_id"],
            status=row["status"],
            carrier=row["carrier"],
            tracking_number=row["tracking_number"],
            expected_delivery=row["expected_delivery"],
        )

    async def count_cases(self) -> int:
        """Return how many cases exist."""
        return await self._count("cases")

    async def count_rmas(self) -> int:
        """Return how many RMAs exist."""
        return await self._count("rmas")

    async def _count(self, table: Literal["cases", "rmas"]) -> int:
        await self._ensure_ready()
        async with self._connect() as db:
            cursor = await db.execute(_COUNT_SQL[table])
            row = await cursor.fetchone()
        return 0 if row is None else int(row[0])
