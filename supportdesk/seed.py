"""Seed rows for the support-desk database, the same for every backend."""

from collections.abc import Sequence
from typing import Final

INVOICE_COLUMNS: Final = ("invoice_number", "customer", "amount", "currency", "issued_on", "status", "previous_amount")
INVOICES: Final = [
    ("INV-7890", "Alex Doe", 189.00, "EUR", "2026-10-01", "open", 129.00),
    ("INV-7891", "Blair Smith", 59.90, "EUR", "2026-09-15", "paid", 59.90),
    ("INV-7892", "Casey Lee", 249.00, "USD", "2026-09-20", "open", None),
    ("INV-7893", "Dana Kim", 1450.00, "EUR", "2026-09-28", "open", 980.00),
    ("INV-7894", "Eli Novak", 19.99, "GBP", "2026-08-30", "paid", None),
    ("INV-7895", "Frankie Ruiz", 640.50, "EUR", "2026-10-03", "open", 640.50),
]

ORDER_COLUMNS: Final = ("order_id", "status", "carrier", "tracking_number", "expected_delivery")
ORDERS: Final = [
    (
        "A-12345",
        "Delayed",
        "Standard Post",
        "SP40802",
        "Expected in 2-3 additional days",
    ),
    ("A-12346", "Shipped", "SuperFast Shipping", "SF482913", "Tomorrow"),
    ("A-12347", "Delivered", "Local Courier", "LC55120", "Delivered yesterday"),
    ("A-12348", "Processing", None, None, "3-5 business days"),
    ("A-12349", "Shipped", "Standard Post", "SP41177", "In 2 days"),
    ("A-12350", "Cancelled", None, None, "Not applicable (order cancelled)"),
]

PRODUCT_COLUMNS: Final = ("sku", "name", "alias", "price", "returnable", "return_window_days")
PRODUCTS: Final = [
    ("SW-5000", "SuperWidget 5000", "SW5000", 299.00, 1, 30),
    ("SW-3000", "SuperWidget 3000", "SW3000", 199.00, 1, 30),
    ("MH-PRO", "MegaHub Pro", "MegaHub", 149.00, 1, 30),
    ("FCM-01", "Flux Capacitor Mini", "Flux Mini", 88.00, 1, 14),
    ("QM-01", "Quantum Mouse", "QMouse", 49.00, 1, 30),
    ("GC-50", "Gift Card", None, 50.00, 0, 0),
]

# (table, columns, rows), in an order that satisfies every foreign key.
SEEDS: Final[Sequence[tuple[str, tuple[str, ...], Sequence[tuple[object, ...]]]]] = [
    ("invoices", INVOICE_COLUMNS, INVOICES),
    ("orders", ORDER_COLUMNS, ORDERS),
    ("products", PRODUCT_COLUMNS, PRODUCTS),
]
