"""Documents app: proposals, orders, invoices, payments, shipments, their numbers and PDFs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "rapport.orders"
    label = "orders"
    verbose_name = _("Documents")
