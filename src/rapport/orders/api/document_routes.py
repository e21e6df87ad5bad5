"""API routes of orders, invoices, payments and shipments."""

from rapport.orders.api.documents import (
    InvoiceViewSet,
    OrderViewSet,
    PaymentViewSet,
    ShipmentViewSet,
)

ROUTES: list = [
    ("orders", OrderViewSet, "order"),
    ("invoices", InvoiceViewSet, "invoice"),
    ("payments", PaymentViewSet, "payment"),
    ("shipments", ShipmentViewSet, "shipment"),
]
PATHS: list = []
