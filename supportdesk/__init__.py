"""Real SQLite support-desk backend for the Stagecraft support workers."""

from supportdesk.models import Case, Invoice, NotReturnable, OrderStatus, Rma
from supportdesk.store import RETURN_ADDRESS, SupportDesk, normalize_id

__all__ = [
    "RETURN_ADDRESS",
    "Case",
    "Invoice",
    "NotReturnable",
    "OrderStatus",
    "Rma",
    "SupportDesk",
    "normalize_id",
]
