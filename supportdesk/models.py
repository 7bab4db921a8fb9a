"""Pydantic records returned by the support desk."""

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Invoice(_Record):
    """Describe one customer invoice."""

    invoice_number: str
    customer: str
    amount: float
    currency: str
    issued_on: str
    status: str
    previous_amount: float | None


class Case(_Record):
    """Describe a billing investigation case."""

    case_id: str
    invoice_number: str
    concern: str
    eta_business_days: int
    created: bool


class Rma(_Record):
    """Describe a return merchandise authorisation."""

    rma_number: str
    product_name: str
    reason: str
    shipping_instructions: str
    created: bool


class Product(_Record):
    """Describe a product the desk sells, with its price (in US dollars)."""

    sku: str
    name: str
    price: float
    returnable: bool
    return_window_days: int


class OrderStatus(_Record):
    """Describe where an order is in fulfilment."""

    order_id: str
    status: str
    carrier: str | None
    tracking_number: str | None
    expected_delivery: str


class NotReturnable(Exception):
    """Signal that a product cannot be returned."""

    def __init__(self, product_name: str) -> None:
        """Record the refused product and build the message."""
        super().__init__(f"{product_name!r} is not returnable, so no RMA can be issued.")
        self.product_name = product_name


class DeskUnavailable(ConnectionError):
    """Signal that the database a support desk names cannot be reached or opened."""

    def __init__(self, service: str, where: str, reason: str) -> None:
        """Name the service and where it was looked for, with the driver's reason on one line."""
        self.service = service
        self.where = where
        self.reason = " ".join(reason.split())
        super().__init__(f"support desk {service} at {where} unreachable: {self.reason}")
