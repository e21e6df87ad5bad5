"""Outbound webhooks: signed POSTs after commit, retries with backoff, a record of each attempt."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.contacts.services import company_create
from rapport.integrations.models import DeliveryStatus, Webhook, WebhookDelivery
from rapport.integrations.services import webhook_save


class Receiver:
    """A real HTTP server on a free loopback port that records what it receives."""

    def __init__(self, answers: list[int]):
        self.answers = list(answers)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _hook(world, url, events=()):
    return webhook_save(
        actor=world.user("admin"), webhook=Webhook(name="ERP", url=url, events=list(events))
    )


def _create_company(world, django_capture_on_commit_callbacks, name="Hooked SIA"):
    with django_capture_on_commit_callbacks(execute=True):
        return company_create(actor=world.user("rep"), name=name)


def test_event_is_posted_signed_after_commit(world, run_tasks, django_capture_on_commit_callbacks):
    with Receiver([200]) as receiver:
        hook = _hook(world, receiver.url, ["company.created"])
        company = _create_company(world, django_capture_on_commit_callbacks)
        run_tasks()
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Rapport-Signature"] == expected
    payload = json.loads(body)
    assert payload["event"] == "company.created"
    assert payload["data"] == {"id": company.pk}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200


def test_rolled_back_write_sends_nothing(world, run_tasks, django_capture_on_commit_callbacks):
    from django.db import transaction

    with Receiver([]) as receiver:
        _hook(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                company_create(actor=world.user("rep"), name="Never Saved")
                raise RuntimeError("the request failed after the write")
        run_tasks()
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_unsubscribed_events_are_not_sent(world, run_tasks, django_capture_on_commit_callbacks):
    with Receiver([]) as receiver:
        _hook(world, receiver.url, ["person.created"])
        _create_company(world, django_capture_on_commit_callbacks)
        run_tasks()
    assert receiver.received == []


def test_failed_delivery_is_retried_later_then_delivered_once(
    world, run_tasks, django_capture_on_commit_callbacks
):
    with Receiver([500, 200]) as receiver:
        _hook(world, receiver.url)
        _create_company(world, django_capture_on_commit_callbacks)
        run_tasks()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        retry = DBTaskResult.objects.filter(status="READY").get()
        assert retry.run_after > timezone.now()  # backed off, not hammering the receiver
        run_tasks()
        assert len(receiver.received) == 1  # not due yet
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        run_tasks()
        run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert len(receiver.received) == 2
    first, second = (json.loads(body)["id"] for _h, body in receiver.received)
    assert first == second  # the same event id, so the receiver can ignore a repeat


def test_unreachable_receiver_is_recorded(world, run_tasks, django_capture_on_commit_callbacks):
    with Receiver([]) as receiver:
        url = receiver.url
    _hook(world, url)  # the server is gone: connection refused
    _create_company(world, django_capture_on_commit_callbacks)
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error


def test_admin_manages_webhooks_in_the_ui_and_others_cannot(world):
    admin = Client()
    admin.force_login(world.user("admin"))
    response = admin.post(
        "/settings/webhooks/new/",
        {"name": "Accounting", "url": "ftp://example.com", "is_active": "on"},
    )
    assert response.status_code == 422 and not Webhook.objects.exists()
    response = admin.post(
        "/settings/webhooks/new/",
        {
            "name": "Accounting",
            "url": "http://127.0.0.1:9/in",
            "is_active": "on",
            "events_text": "company.created\nperson.created",
        },
    )
    hook = Webhook.objects.get()
    assert response.status_code == 302
    assert hook.events == ["company.created", "person.created"] and len(hook.secret) > 20
    rep = Client()
    rep.force_login(world.user("rep"))
    assert rep.get(f"/settings/webhooks/{hook.pk}/").status_code == 404
    director = Client()
    director.force_login(world.user("director"))
    assert director.get("/settings/webhooks/").status_code == 404
