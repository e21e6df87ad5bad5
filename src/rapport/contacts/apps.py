"""Contacts app: companies, people, their relations, dedupe and merge, import and export."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "rapport.contacts"
    label = "contacts"
    verbose_name = _("Customer base")

    def ready(self) -> None:
        from rapport.contacts import imports  # noqa: F401  (registers the import job handler)
