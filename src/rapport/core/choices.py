"""Choices shared by several apps."""

from django.db import models


class Language(models.TextChoices):
    """Languages of the interface, of documents and of customers' correspondence."""

    EN = "en", "English"
    RU = "ru", "Русский"
    UK = "uk", "Українська"
    LV = "lv", "Latviešu"
