"""SQLite-backed support desk: invoices, cases, orders, products and RMAs.

The desk is plain blocking code (sqlite3). Graph nodes call it in place under `graph.invoke`
and through `asyncio.to_thread` under `ainvoke`, so one implementation serves both and no
event loop owns a connection. Each thread keeps its own connection: opening one (and its
PRAGMAs) costs more than the queries a worker runs.
"""

import os
import sqlite3
import string
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, Literal

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
        self._setup_lock = threading.Lock()
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True)
            db.row_factory = sqlite3.Row
            # busy_timeout must be in force before the WAL switch, which needs a lock.
            db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._local.db = db
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._ensure_ready()
        db = self._connection()
        # IMMEDIATE takes the write lock up front, so the insert-then-read of a case never
        # interleaves with another writer's.
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _read(self, sql: str, params: tuple[object, ...] | dict[str, object]) -> sqlite3.Row | None:
        self._ensure_ready()
        row: sqlite3.Row | None = self._connection().execute(sql, params).fetchone()
        return row

    def setup(self) -> None:
        """Create the parent directory, tables and seed rows if they are missing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        schema = _SCHEMA_PATH.read_text(encoding="utf-8")
        for attempt in range(_SETUP_ATTEMPTS):
            try:
                self._create_and_seed(schema)
                break
            except sqlite3.OperationalError as exc:
                # Set-ups racing from other processes (no lock spans them): the WAL switch and
                # DDL can report "locked" without waiting. Set-up is idempotent: retry.
                if "locked" not in str(exc) or attempt == _SETUP_ATTEMPTS - 1:
                    raise
                time.sleep(0.02 * 2**attempt)
        self._ready = True

    def _create_and_seed(self, schema: str) -> None:
        db = self._connection()
        db.executescript(schema)
        _migrate(db)
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT OR IGNORE INTO invoices (invoice_number, customer, amount,"
                " currency, issued_on, status, previous_amount)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                INVOICES,
            )
            db.executemany(
                "INSERT OR IGNORE INTO orders (order_id, status, carrier,"
                " tracking_number, expected_delivery) VALUES (?, ?, ?, ?, ?)",
                ORDERS,
            )
            db.executemany(
                "INSERT OR IGNORE INTO products (sku, name, alias, price, returnable,"
                " return_window_days) VALUES (?, ?, ?, ?, ?, ?)",
                PRODUCTS,
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        with self._setup_lock:
            if not self._ready:
                self.setup()

    def find_invoice(self, invoice_number: str) -> Invoice | None:
        """Return the invoice with this number, or None if it does not exist."""
        row = self._read("SELECT * FROM invoices WHERE invoice_number = ?", (normalize_id(invoice_number),))
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

    def open_case(self, *, request_id: str, task_key: str, invoice_number: str, concern: str) -> Case | None:
        """Open a case once per (request_id, task_key); None for an unknown invoice."""
        invoice = self.find_invoice(invoice_number)
        if invoice is None:
            return None
        eta = 5 if invoice.amount > _LARGE_INVOICE else 2
        with self._transaction() as db:
            created = (
                db.execute(
                    "INSERT INTO cases (request_id, task_key, invoice_number, concern,"
                    " eta_business_days) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (request_id, task_key) DO NOTHING",
                    (request_id, task_key, invoice.invoice_number, concern, eta),
                ).rowcount
                == 1
            )
            row = db.execute(
                "SELECT id, invoice_number, concern, eta_business_days FROM cases"
                " WHERE request_id = ? AND task_key = ?",
                (request_id, task_key),
            ).fetchone()
        if row is None:
            raise LookupError(f"case for ({request_id!r}, {task_key!r}) vanished after insert")
        return Case(
            case_id=_case_id(row["id"]),
            invoice_number=row["invoice_number"],
            concern=row["concern"],
            eta_business_days=row["eta_business_days"],
            created=created,
        )

    def issue_rma(self, *, request_id: str, task_key: str, product_name: str, reason: str) -> Rma | None:
        """Issue an RMA once per (request_id, task_key); None if the product is unknown.

        Raises:
            NotReturnable: The product exists but cannot be returned.
        """
        with self._transaction() as db:
            product = db.execute(_FIND_PRODUCT_SQL, {"key": _product_key(product_name)}).fetchone()
            if product is None:
                return None
            if not product["returnable"]:
                raise NotReturnable(product["name"])
            created = (
                db.execute(
                    "INSERT INTO rmas (request_id, task_key, sku, reason)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (request_id, task_key) DO NOTHING",
                    (request_id, task_key, product["sku"], reason),
                ).rowcount
                == 1
            )
            row = db.execute(
                "SELECT r.id, r.reason, p.name, p.return_window_days"
                " FROM rmas AS r JOIN products AS p ON p.sku = r.sku"
                " WHERE r.request_id = ? AND r.task_key = ?",
                (request_id, task_key),
            ).fetchone()
        if row is None:
            raise LookupError(f"RMA for ({request_id!r}, {task_key!r}) vanished after insert")
        rma_number = _rma_number(row["id"])
        return Rma(
            rma_number=rma_number,
            product_name=row["name"],
            reason=row["reason"],
            shipping_instructions=_shipping_instructions(row["name"], rma_number, row["return_window_days"]),
            created=created,
        )

    def order_status(self, order_id: str) -> OrderStatus | None:
        """Return the fulfilment status of an order, or None if it does not exist."""
        row = self._read("SELECT * FROM orders WHERE order_id = ?", (normalize_id(order_id),))
        if row is None:
            return None
        return OrderStatus(
            order_id=row["order_id"],
            status=row["status"],
            carrier=row["carrier"],
            tracking_number=row["tracking_number"],
            expected_delivery=row["expected_delivery"],
        )

    def count_cases(self) -> int:
        """Return how many cases exist."""
        return self._count("cases")

    def count_rmas(self) -> int:
        """Return how many RMAs exist."""
        return self._count("rmas")

    def _count(self, table: Literal["cases", "rmas"]) -> int:
        row = self._read(_COUNT_SQL[table], ())
        return 0 if row is None else int(row[0])


def _migrate(db: sqlite3.Connection) -> None:
    # Desks created before requests had identities keyed cases and RMAs by thread id.
    for table in ("cases", "rmas"):
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if "thread_id" in columns and "request_id" not in columns:
            db.execute(f"ALTER TABLE {table} RENAME COLUMN thread_id TO request_id")
