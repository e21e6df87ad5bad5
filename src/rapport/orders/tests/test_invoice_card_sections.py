"""An invoice is a record other apps attach things to (orders/records.py): its card shows the
sections they add (core/cards.py), as the order and lead cards do: its tasks with their
hand-offs, and its business processes."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from rapport.activities.services.handoffs import handoff_send
from rapport.activities.services.tasks import task_create
from rapport.activities.tests.test_handoffs_services import logistics
from rapport.orders.services.invoices import invoice_create
from rapport.processes.services.instances import process_start
from rapport.processes.tests.factories import make_template
from tests.app_rules.orders_documents import make_order


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_invoice_card_shows_its_tasks_handoffs_and_processes(world):
    rep = world.users["rep"]
    invoice = invoice_create(actor=rep, order=make_order(world))
    url = invoice.get_absolute_url()

    # Nothing attached yet: the tasks section still offers a task or a meeting on the invoice.
    empty = _client(rep).get(url).content.decode()
    assert 'id="record-tasks"' in empty and 'id="handoff-section"' not in empty
    assert f"?record=orders.invoice:{invoice.pk}" in empty

    chase = task_create(actor=rep, title="Chase the payment", assignee=rep, record=invoice)
    task_create(actor=rep, title="Send the original by post", assignee=rep, record=invoice)
    handoff = handoff_send(
        actor=rep,
        task=chase,
        to_department=logistics().department,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    template = make_template(
        world.users["admin"],
        name="Dunning",
        record_type="orders.invoice",
        stages=[{"name": "Reminder", "executor_role": "sales_rep", "duration_value": 2}],
    )
    process_start(actor=rep, template=template, record=invoice)

    page = _client(rep).get(url).content.decode()
    assert "Chase the payment" in page and "Send the original by post" in page
    assert f'id="card-handoff-{handoff.pk}"' in page and 'data-status="sent"' in page
    assert 'id="record-processes"' in page and "Dunning" in page

    # The auditor reads the sections but is offered nothing to add; an outsider gets nothing.
    audited = _client(world.users["auditor"]).get(url).content.decode()
    assert "Send the original by post" in audited and "Dunning" in audited
    assert 'id="record-new-task"' not in audited and 'id="process-start-form"' not in audited
    assert _client(world.users["outsider"]).get(url).status_code == 404
