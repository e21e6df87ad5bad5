"""Outbound webhooks and the record of every delivery attempt."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.core import scoping
from rapport.core.models import BaseModel


class Webhook(BaseModel):
    """A URL that receives our events, signed with HMAC-SHA256 of the body using ``secret``."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100)
    events = models.JSONField(
        pgettext_lazy("webhook", "events"),
        default=list,
        blank=True,
        help_text=_("Event names such as company.created; leave empty for all events."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope = scoping.AdminScope()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_name: str) -> bool:
        return self.is_active and (not self.events or event_name in self.events)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(pgettext_lazy("webhook", "event id"), default=uuid.uuid4)
    event = models.CharField(pgettext_lazy("webhook", "event"), max_length=60)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_time")]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="delivery_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"
