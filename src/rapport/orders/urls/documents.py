"""Web routes of orders, invoices, payments, shipments and document settings."""

from django.urls import path

from rapport.orders.views import invoices, orders, settings, shipments

urlpatterns: list = [
    path("orders/", orders.OrderListView.as_view(), name="order_list"),
    path("orders/<int:pk>/", orders.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/edit/", orders.OrderUpdateView.as_view(), name="order_update"),
    path("orders/<int:pk>/move/", orders.OrderMoveView.as_view(), name="order_move"),
    path("orders/<int:pk>/pdf/", orders.OrderPdfView.as_view(), name="order_pdf"),
    path("orders/<int:pk>/invoice/", invoices.InvoiceCreateView.as_view(), name="invoice_create"),
    path("orders/<int:pk>/ship/", shipments.ShipmentCreateView.as_view(), name="shipment_create"),
    path("invoices/", invoices.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", invoices.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/edit/", invoices.InvoiceUpdateView.as_view(), name="invoice_update"),
    path("invoices/<int:pk>/lines/", invoices.InvoiceLinesView.as_view(), name="invoice_lines"),
    path("invoices/<int:pk>/move/", invoices.InvoiceMoveView.as_view(), name="invoice_move"),
    path("invoices/<int:pk>/pdf/", invoices.InvoicePdfView.as_view(), name="invoice_pdf"),
    path(
        "invoices/<int:pk>/payments/", invoices.PaymentCreateView.as_view(), name="payment_create"
    ),
    path("payments/<int:pk>/delete/", invoices.PaymentDeleteView.as_view(), name="payment_delete"),
    path("shipments/", shipments.ShipmentListView.as_view(), name="shipment_list"),
    path("shipments/<int:pk>/", shipments.ShipmentDetailView.as_view(), name="shipment_detail"),
    path("shipments/<int:pk>/move/", shipments.ShipmentMoveView.as_view(), name="shipment_move"),
    path(
        "settings/document-numbers/",
        settings.NumberSequencesView.as_view(),
        name="settings_numbers",
    ),
    path("settings/seller/", settings.SellerDetailsView.as_view(), name="settings_seller"),
]
