"""Webhook writes and delivery: one delivery row per event and webhook, retried with backoff."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from rapport.core.changelog import record_change, snapshot
from rapport.core.events import Event
from rapport.core.models import ChangeAction
from rapport.core.services import require_administrator
from rapport.integrations.models import DeliveryStatus, Webhook, WebhookDelivery

BACKOFF_SECONDS = [60, 300, 1800, 7200, 43200]  # then it is marked failed
TIMEOUT_SECONDS = 10
WEBHOOK_FIELDS = ["name", "url", "events", "is_active"]


def webhook_save(*, actor, webhook: Webhook) -> Webhook:
    require_administrator(actor)
    with transaction.atomic():
        created = webhook.pk is None
        before = None if created else snapshot(Webhook.objects.get(pk=webhook.pk), WEBHOOK_FIELDS)
        if not webhook.secret:
            webhook.secret = secrets.token_urlsafe(32)
        webhook.events = sorted({str(e).strip() for e in webhook.events or [] if str(e).strip()})
        webhook.full_clean()
        webhook.save()
        record_change(
            actor=actor,
            action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
            obj=webhook,
            before=before,
            after=snapshot(webhook, WEBHOOK_FIELDS),
        )
    return webhook


def webhook_delete(*, actor, webhook: Webhook) -> None:
    require_administrator(actor)
    with transaction.atomic():
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=webhook,
            before=snapshot(webhook, WEBHOOK_FIELDS),
        )
        webhook.delete()


def queue_deliveries(event: Event) -> None:
    """Called after commit for every event: one delivery per interested webhook."""
    hooks = [h for h in Webhook.objects.filter(is_active=True) if h.wants(event.name)]
    if not hooks:
        return
    payload = {
        "event": event.name,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }
    with transaction.atomic():
        for hook in hooks:
            delivery = WebhookDelivery.objects.create(
                webhook=hook, event=event.name, payload=payload
            )
            deliver_webhook.enqueue(delivery.pk)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def attempt_delivery(delivery: WebhookDelivery) -> bool:
    """POST the event once; record the outcome; schedule a retry or give up."""
    hook = delivery.webhook
    body = json.dumps(
        {"id": str(delivery.event_id), **delivery.payload}, cls=DjangoJSONEncoder
    ).encode()
    request = urllib.request.Request(
        hook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Rapport-Webhook/1",
            "X-Rapport-Event": delivery.event,
            "X-Rapport-Delivery": str(delivery.event_id),
            "X-Rapport-Signature": signature(hook.secret, body),
        },
    )
    delivery.attempts += 1
    code, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            code = response.status
    except urllib.error.HTTPError as exc:
        code, error = exc.code, str(exc)[:1000]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(exc)[:1000]
    delivery.last_status_code = code
    delivery.last_error = error
    delivered = code is not None and 200 <= code < 300
    if delivered:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts > len(BACKOFF_SECONDS):
        delivery.status = DeliveryStatus.FAILED
    delivery.save()
    if not delivered and delivery.status == DeliveryStatus.PENDING:
        wait = BACKOFF_SECONDS[delivery.attempts - 1]
        run_after = timezone.now() + datetime.timedelta(seconds=wait)
        deliver_webhook.using(run_after=run_after).enqueue(delivery.pk)
    return delivered


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = (
        WebhookDelivery.objects.select_related("webhook")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:  # already delivered or given up: retries are idempotent
        return "skipped"
    return "delivered" if attempt_delivery(delivery) else "retry"
