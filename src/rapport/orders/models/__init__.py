"""The documents of the sales chain (one module per kind of document)."""

from rapport.orders.models.documents import (
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
    Shipment,
    ShipmentLine,
)
from rapport.orders.models.numbering import NumberSequence, SellerDetails
from rapport.orders.models.proposals import Proposal, ProposalLine

__all__ = [
    "Invoice",
    "InvoiceLine",
    "NumberSequence",
    "Order",
    "OrderLine",
    "Payment",
    "Proposal",
    "ProposalLine",
    "SellerDetails",
    "Shipment",
    "ShipmentLine",
]
