"""What every support desk does, whatever database holds it: the rules, the queries, the records.

A backend (SQLite in `store.py`, PostgreSQL in `postgres.py`) supplies a session per call, its
set-up and the few schema words its dialect spells its own way; the queries are written here
once, with `:name` parameters, in the SQL both databases accept.

Idempotency is the database's: cases and RMAs are UNIQUE per (request_id, task_key) and written
with INSERT ... ON CONFLICT DO NOTHING inside a transaction, so a replayed or racing worker,
in any thread or process, reads back the one row that won.
"""

from __future__ import annotations

import re
import string
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Final, Literal, Protocol

from supportdesk.models import Case, Invoice, NotReturnable, OrderStatus, Product, Rma
from supportdesk.seed import SEEDS

Row = dict[str, Any]
Params = Mapping[str, object]

_SCHEMA_PATH: Final = Path(__file__).with_name("schema.sql")
_QUOTES: Final = "'\"`\u2018\u2019\u201c\u201d"
_ID_JUNK: Final = string.whitespace + _QUOTES + "#.,;:!?()[]"
_NAME_JUNK: Final = string.whitespace + _QUOTES + ".,;:!?"
_LARGE_INVOICE: Final = 1000.0
RETURN_ADDRESS: Final = "Returns Department, 123 Automation Lane, Tech City, TC 98765"

# Both sides compare on the same key: lower-case, spaces and hyphens removed.
# A name match wins over an alias match should the two ever collide.
_FIND_PRODUCT_SQL: Final = """
    SELECT sku, name, price, returnable, return_window_days FROM products
    WHERE replace(replace(lower(name), ' ', ''), '-', '') = :key
       OR replace(replace(lower(alias), ' ', ''), '-', '') = :key
    ORDER BY replace(replace(lower(name), ' ', ''), '-', '') = :key DESC
    LIMIT 1
"""
# The number as written wins over the desk's own spelling of the same digits.
_FIND_INVOICE_SQL: Final = (
    "SELECT * FROM invoices WHERE invoice_number IN (:id, :house) ORDER BY invoice_number = :id DESC LIMIT 1"
)
_HOUSE_INVOICE: Final = re.compile(r"(?:INV[-\s]*)?(\d+)")
_FIND_CASE_SQL: Final = (
    "SELECT id, invoice_number, concern, eta_business_days FROM cases"
    " WHERE request_id = :request_id AND task_key = :task_key"
)
_INSERT_CASE_SQL: Final = (
    "INSERT INTO cases (request_id, task_key, invoice_number, concern, eta_business_days)"
    " VALUES (:request_id, :task_key, :invoice_number, :concern, :eta)"
    " ON CONFLICT (request_id, task_key) DO NOTHING"
)
_FIND_RMA_SQL: Final = (
    "SELECT r.id, r.reason, p.name, p.return_window_days"
    " FROM rmas AS r JOIN products AS p ON p.sku = r.sku"
    " WHERE r.request_id = :request_id AND r.task_key = :task_key"
)
_INSERT_RMA_SQL: Final = (
    "INSERT INTO rmas (request_id, task_key, sku, reason) VALUES (:request_id, :task_key, :sku, :reason)"
    " ON CONFLICT (request_id, task_key) DO NOTHING"
)
_COUNT_SQL: Final = {
    "cases": "SELECT count(*) AS n FROM cases",
    "rmas": "SELECT count(*) AS n FROM rmas",
}


class Session(Protocol):
    """One connection of a desk for one call: a transaction when writing."""

    def one(self, sql: str, params: Params) -> Row | None:
        """Run `sql` and return its first row, or None."""
        ...

    def run(self, sql: str, params: Params) -> int:
        """Run `sql` and return how many rows it changed."""
        ...

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run `sql` once per parameter set."""
        ...

    def claim(self, *key: str) -> None:
        """Hold `key` until the transaction ends, so that writers of one key take turns."""
        ...


@dataclass(frozen=True)
class Dialect:
    """The words of the shared schema that a database spells its own way."""

    row_id: str
    double: str
    timestamp: str


def schema_sql(dialect: Dialect) -> str:
    """Return the shared schema written in `dialect`; a missing word fails loudly."""
    return string.Template(_SCHEMA_PATH.read_text(encoding="utf-8")).substitute(asdict(dialect))


def seed_statements() -> Iterator[tuple[str, list[Params]]]:
    """Yield (INSERT that skips existing rows, its parameter sets) per seeded table, in key order."""
    for table, columns, rows in SEEDS:
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
            " ON CONFLICT DO NOTHING"
        )
        yield sql, [dict(zip(columns, row, strict=True)) for row in rows]


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


class Desk(ABC):
    """Serve support-desk reads and idempotent writes: blocking, thread-safe, set up on first use."""

    service: ClassVar[str]
    """The database's name in messages: 'SQLite', 'PostgreSQL'."""
    where: str
    """Where the database is, for messages: a path, or host:port and database (never a password)."""

    def __init__(self) -> None:
        self._ready = False
        self._setup_lock = threading.Lock()

    @property
    @abstractmethod
    def url(self) -> str:
        """Return the URL that opens this desk again (it may hold a password: never log it)."""

    @abstractmethod
    def setup(self) -> None:
        """Create the tables and seed rows if they are missing; safe from many processes at once."""

    @abstractmethod
    def close(self) -> None:
        """Release the connections this desk holds; the next call opens new ones."""

    @abstractmethod
    def _session(self, *, write: bool) -> AbstractContextManager[Session]:
        """Lend a session: one transaction when `write`, committed on success, rolled back on error."""

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        self._ensure_ready()
        with self._session(write=False) as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        self._ensure_ready()
        with self._session(write=True) as session:
            yield session

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        with self._setup_lock:
            if not self._ready:
                self.setup()
                self._ready = True

    def find_invoice(self, invoice_number: str) -> Invoice | None:
        """Return the invoice with this number, or None if it does not exist.

        The desk writes its numbers INV-<digits>; a customer who writes only the digits ("7890",
        "INV 7890", "inv7890") means that invoice. Any other number is looked up as written, so
        "FAC-7890" is not INV-7890.
        """
        wanted = normalize_id(invoice_number)
        digits = _HOUSE_INVOICE.fullmatch(wanted)
        params = {"id": wanted, "house": f"INV-{digits[1]}" if digits else wanted}
        with self._reading() as db:
            row = db.one(_FIND_INVOICE_SQL, params)
        return None if row is None else Invoice.model_validate(row)

    def open_case(self, *, request_id: str, task_key: str, invoice_number: str, concern: str) -> Case | None:
        """Open a case once per (request_id, task_key); None for an unknown invoice."""
        invoice = self.find_invoice(invoice_number)
        if invoice is None:
            return None
        key = {"request_id": request_id, "task_key": task_key}
        with self._writing() as db:
            # A conflicting INSERT still draws a row id: racers take turns and replays read first,
            # so case numbers have no gaps. The UNIQUE constraint, not this, keeps them one per key.
            db.claim("cases", request_id, task_key)
            row = db.one(_FIND_CASE_SQL, key)
            created = False
            if row is None:
                eta = 5 if invoice.amount > _LARGE_INVOICE else 2
                params = {**key, "invoice_number": invoice.invoice_number, "concern": concern, "eta": eta}
                created = db.run(_INSERT_CASE_SQL, params) == 1
                row = db.one(_FIND_CASE_SQL, key)
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
        key = {"request_id": request_id, "task_key": task_key}
        with self._writing() as db:
            product = db.one(_FIND_PRODUCT_SQL, {"key": _product_key(product_name)})
            if product is None:
                return None
            if not product["returnable"]:
                raise NotReturnable(product["name"])
            db.claim("rmas", request_id, task_key)
            row = db.one(_FIND_RMA_SQL, key)
            created = False
            if row is None:
                created = db.run(_INSERT_RMA_SQL, {**key, "sku": product["sku"], "reason": reason}) == 1
                row = db.one(_FIND_RMA_SQL, key)
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

    def find_product(self, product_name: str) -> Product | None:
        """Return the product a customer names (its name or alias, as `issue_rma` matches it), or None."""
        with self._reading() as db:
            row = db.one(_FIND_PRODUCT_SQL, {"key": _product_key(product_name)})
        return None if row is None else Product.model_validate(row)

    def order_status(self, order_id: str) -> OrderStatus | None:
        """Return the fulfilment status of an order, or None if it does not exist."""
        with self._reading() as db:
            row = db.one("SELECT * FROM orders WHERE order_id = :id", {"id": normalize_id(order_id)})
        return None if row is None else OrderStatus.model_validate(row)

    def count_cases(self) -> int:
        """Return how many cases exist."""
        return self._count("cases")

    def count_rmas(self) -> int:
        """Return how many RMAs exist."""
        return self._count("rmas")

    def _count(self, table: Literal["cases", "rmas"]) -> int:
        with self._reading() as db:
            row = db.one(_COUNT_SQL[table], {})
        return 0 if row is None else int(row["n"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.service} at {self.where})"
