"""Top-bar entries of the documents app: orders and invoices; document settings for admins."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(user) -> list[tuple[str, str, str]]:
    # Everyone signed in: the lists show only the documents in the user's scope.
    return [
        (reverse("orders:proposal_list"), _("Proposals"), "file-earmark-text"),
        (reverse("orders:order_list"), _("Orders"), "cart-check"),
        (reverse("orders:invoice_list"), _("Invoices"), "receipt"),
    ]


def admin_items(user) -> list[tuple[str, str]]:
    if not user.is_administrator:
        return []
    return [
        (reverse("orders:settings_numbers"), _("Document numbers")),
        (reverse("orders:settings_seller"), _("Seller details")),
    ]
