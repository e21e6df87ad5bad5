"""Web routes of orders, invoices, payments, shipments and document settings."""

urlpatterns: list = []
