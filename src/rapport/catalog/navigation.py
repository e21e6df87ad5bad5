"""Navigation entries of the catalogue: the catalogue for everyone, its settings for
administrators."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(user) -> list:
    return [(reverse("catalog:product_list"), _("Catalogue"), "box-seam")]


def admin_items(user) -> list:
    if not user.is_administrator:
        return []
    return [
        (reverse("catalog:pricelist_list"), _("Price lists")),
        (reverse("catalog:customergroup_list"), _("Customer groups")),
        (reverse("catalog:discountrule_list"), _("Discount rules")),
        (reverse("catalog:discountlimit_list"), _("Discount limits")),
        (reverse("catalog:exchangerate_list"), _("Exchange rates")),
    ]
