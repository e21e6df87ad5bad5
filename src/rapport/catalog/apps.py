"""Catalogue app: products and services, price lists, customer groups, discounts, rates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "rapport.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")
