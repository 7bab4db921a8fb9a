"""The support desk the Stagecraft support workers act on: SQLite by default, PostgreSQL by URL."""

from supportdesk.desk import RETURN_ADDRESS, Desk, normalize_id
from supportdesk.models import Case, DeskUnavailable, Invoice, NotReturnable, OrderStatus, Product, Rma
from supportdesk.store import SupportDesk
from supportdesk.urls import DeskLocation, close_desks, desk_from_url, open_desk

__all__ = [
    "RETURN_ADDRESS",
    "Case",
    "Desk",
    "DeskLocation",
    "DeskUnavailable",
    "Invoice",
    "NotReturnable",
    "OrderStatus",
    "Product",
    "Rma",
    "SupportDesk",
    "close_desks",
    "desk_from_url",
    "normalize_id",
    "open_desk",
]
