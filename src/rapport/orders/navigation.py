"""Top-bar entries of the documents app: its lists for everyone, document settings for admins."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(user) -> list:
    # Everyone signed in: the lists show only the documents in the user's scope. One menu, so
    # the top bar still fits a laptop's screen.
    documents = [
        (reverse("orders:proposal_list"), _("Proposals")),
        (reverse("orders:order_list"), _("Orders")),
        (reverse("orders:invoice_list"), _("Invoices")),
        (reverse("orders:shipment_list"), _("Shipments")),
    ]
    return [("", _("Documents"), "files", documents)]


def admin_items(user) -> list[tuple[str, str]]:
    if not user.is_administrator:
        return []
    return [
        (reverse("orders:settings_numbers"), _("Document numbers")),
        (reverse("orders:settings_seller"), _("Seller details")),
    ]
