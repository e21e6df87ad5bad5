"""Rules set off by events: created, a field changed, a stage reached; run once per occasion,
logged, all actions or none; a chain of rules setting each other off stops."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core import mail
from django_tasks_db.models import DBTaskResult

from rapport.activities.models import Activity, Task
from rapport.automation.choices import RunStatus
from rapport.automation.models import Rule, RuleRun
from rapport.automation.services import process_event
from rapport.automation.tests.helpers import save_rule
from rapport.contacts.services import consent_set
from rapport.core.models import Notification
from rapport.sales.models import Deal
from rapport.sales.services.deals import deal_move, deal_update
from rapport.sales.tests.deals_factories import make_deal, stage

TASK_FOR_OWNER = {
    "type": "create_task",
    "title": "Call about {{ name }}",
    "assignee": "owner",
    "due_in_days": 2,
}


def _runs(rule) -> list[RuleRun]:
    return list(RuleRun.objects.filter(rule=rule).order_by("pk"))


def test_stage_reached_creates_a_task_for_the_owner_in_the_background(
    world, admin, pipeline, deal, committed, drain
):
    negotiation = stage(pipeline, "Negotiation")
    rule = save_rule(
        admin,
        name="Negotiation → task",
        trigger="stage_reached",
        trigger_stage=negotiation.pk,
        actions=[TASK_FOR_OWNER],
    )
    with committed():
        deal_move(actor=world.users["rep"], deal=deal, stage=negotiation)
    # The request only queued a background task: nothing ran yet.
    assert not Task.objects.filter(title__startswith="Call about").exists()
    assert DBTaskResult.objects.filter(task_path__endswith="handle_event").count() == 1
    drain()
    task = Task.objects.get(title="Call about Fibre roll-out")
    assert task.assignee == world.users["rep"]
    assert task.object_id == deal.pk
    assert task.due_at.date() == (datetime.datetime.now() + datetime.timedelta(days=2)).date()
    [run] = _runs(rule)
    assert run.status == RunStatus.DONE
    assert run.actions_done[0]["done"] is True
    rule.refresh_from_db()
    assert (rule.runs_count, rule.failures_count) == (1, 0)
    assert rule.last_run_at is not None


def test_another_stage_does_not_set_the_rule_off(world, admin, pipeline, deal, committed, drain):
    rule = save_rule(
        admin,
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Negotiation").pk,
        actions=[TASK_FOR_OWNER],
    )
    with committed():
        deal_move(actor=world.users["rep"], deal=deal, stage=stage(pipeline, "Proposal"))
    drain()
    assert not _runs(rule)


def test_the_same_event_processed_twice_runs_once(world, admin, pipeline, deal, committed, drain):
    rule = save_rule(
        admin,
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Negotiation").pk,
        actions=[TASK_FOR_OWNER],
    )
    with committed():
        deal_move(actor=world.users["rep"], deal=deal, stage=stage(pipeline, "Negotiation"))
    row = DBTaskResult.objects.get(task_path__endswith="handle_event")
    # A retried task (or two workers taking copies of it) processes the event again.
    DBTaskResult.objects.create(
        task_path=row.task_path,
        args_kwargs=row.args_kwargs,
        queue_name=row.queue_name,
        backend_name=row.backend_name,
        run_after=row.run_after,
        status="READY",
    )
    assert drain() == 2
    assert Task.objects.filter(title="Call about Fibre roll-out").count() == 1
    assert len(_runs(rule)) == 1


def test_reaching_the_stage_again_later_runs_again(world, admin, pipeline, deal, committed, drain):
    rule = save_rule(
        admin,
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Negotiation").pk,
        actions=[TASK_FOR_OWNER],
    )
    rep = world.users["rep"]
    with committed():
        deal = deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Negotiation"))
    with committed():
        deal = deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Proposal"))
    with committed():
        deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Negotiation"))
    drain()
    assert len(_runs(rule)) == 2


def test_created_rule_with_conditions(world, admin, pipeline, committed, drain):
    rule = save_rule(
        admin,
        trigger="created",
        conditions=[{"field": "amount", "operator": ">=", "value": "5000"}],
        actions=[{"type": "notify", "recipient": "owner", "title": "Big deal: {{ name }}"}],
    )
    rep = world.users["rep"]
    with committed():
        make_deal(rep, pipeline, world.companies["own"], name="Small", amount="100")
        make_deal(rep, pipeline, world.companies["own"], name="Large", amount="9000")
    drain()
    [run] = _runs(rule)
    assert run.object_repr == "Large"
    note = Notification.objects.get(user=rep)
    assert note.title == "Big deal: Large"
    assert note.url.endswith(f"/{Deal.objects.get(name='Large').pk}/")


def test_field_changed_uses_the_change_log(world, admin, pipeline, deal, committed, drain):
    rule = save_rule(
        admin,
        trigger="field_changed",
        trigger_field="amount",
        actions=[{"type": "notify", "recipient": "user", "user": admin.pk, "title": "{{ name }}"}],
    )
    rep = world.users["rep"]
    with committed():
        deal = deal_update(actor=rep, deal=deal, description="Only the text changes")
    drain()
    assert not _runs(rule)
    with committed():
        deal_update(actor=rep, deal=deal, amount=Decimal("2500"))
    drain()
    [run] = _runs(rule)
    assert run.status == RunStatus.DONE
    assert run.trigger_key.startswith("change:")
    assert Notification.objects.filter(user=admin, title="Fibre roll-out").count() == 1


def test_inactive_rule_does_nothing(world, admin, pipeline, committed, drain):
    rule = save_rule(admin, trigger="created", is_active=False, actions=[TASK_FOR_OWNER])
    with committed():
        make_deal(world.users["rep"], pipeline, world.companies["own"], name="Quiet")
    drain()
    assert not _runs(rule)
    # With no active rule the handler does not even queue a task.
    assert not DBTaskResult.objects.filter(task_path__endswith="handle_event").exists()


def test_a_failing_action_keeps_none_of_the_run(world, admin, pipeline, committed, drain):
    """A task for the owner, then a notification to a user who left: nothing is kept, and the
    run log says why."""
    leaver = world.users["teammate"]
    rule = save_rule(
        admin,
        trigger="created",
        actions=[
            TASK_FOR_OWNER,
            {"type": "create_task", "title": "Second", "assignee": "user", "user": leaver.pk},
        ],
    )
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    with committed():
        make_deal(world.users["rep"], pipeline, world.companies["own"], name="Doomed")
    drain()
    [run] = _runs(rule)
    assert run.status == RunStatus.FAILED
    assert "no longer active" in run.message
    assert run.actions_done == []
    assert not Task.objects.filter(title__in=["Call about Doomed", "Second"]).exists()
    rule.refresh_from_db()
    assert rule.failures_count == 1


def test_email_to_the_deals_person_logged_on_the_timeline(world, admin, pipeline, committed, drain):
    person = world.people["own"]
    rule = save_rule(
        admin,
        trigger="created",
        actions=[
            {
                "type": "send_email",
                "subject": "About {{ name }}",
                "body": "Dear customer, your deal {{ record }} of {{ amount }} is with us.",
            }
        ],
    )
    with committed():
        make_deal(
            world.users["rep"], pipeline, world.companies["own"], name="Mailed", person=person
        )
    mail.outbox.clear()
    drain()
    [run] = _runs(rule)
    assert run.status == RunStatus.DONE
    [message] = mail.outbox
    assert message.to == ["own.person@example.com"]
    assert message.subject == "About Mailed"
    assert "your deal Mailed of 1" in message.body
    assert Activity.objects.filter(person=person, kind="email", subject="About Mailed").exists()


def test_no_email_to_a_person_who_withdrew_consent(world, admin, pipeline, committed, drain):
    person = world.people["own"]
    consent_set(actor=admin, person=person, channel="email", is_granted=False, method="verbal")
    rule = save_rule(
        admin,
        trigger="created",
        actions=[
            {"type": "send_email", "subject": "Hello", "body": "Text"},
            TASK_FOR_OWNER,
        ],
    )
    with committed():
        make_deal(
            world.users["rep"], pipeline, world.companies["own"], name="No mail", person=person
        )
    mail.outbox.clear()
    drain()
    [run] = _runs(rule)
    assert mail.outbox == []
    assert run.status == RunStatus.DONE  # the task was still made
    assert "withdrawn consent to e-mails" in run.message
    assert [a["done"] for a in run.actions_done] == [False, True]
    assert not Activity.objects.filter(person=person, kind="email", subject="Hello").exists()


def test_set_field_goes_through_the_deals_service(world, admin, pipeline, deal, committed, drain):
    rule = save_rule(
        admin,
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Negotiation").pk,
        actions=[{"type": "set_field", "field": "probability", "value": "80"}],
    )
    with committed():
        deal_move(actor=world.users["rep"], deal=deal, stage=stage(pipeline, "Negotiation"))
    drain()
    deal.refresh_from_db()
    assert deal.probability == 80
    [run] = _runs(rule)
    assert run.status == RunStatus.DONE
    from rapport.core.models import ChangeRecord

    change = ChangeRecord.objects.filter(object_id=deal.pk, actor=admin).first()
    assert change is not None and change.after["probability"] == 80


def test_rules_setting_each_other_off_stop_at_depth_three(
    world, admin, pipeline, deal, committed, drain
):
    """Two rules: a changed amount sets the probability, a changed probability sets the amount
    (each with a condition that never stops it): the chain stops and says so."""
    first = save_rule(
        admin,
        name="Amount → probability",
        trigger="field_changed",
        trigger_field="amount",
        actions=[{"type": "set_field", "field": "probability", "value": "55"}],
    )
    second = save_rule(
        admin,
        name="Probability → amount",
        trigger="field_changed",
        trigger_field="probability",
        actions=[{"type": "set_field", "field": "description", "value": "Touched"}],
    )
    third = save_rule(
        admin,
        name="Description → amount",
        trigger="field_changed",
        trigger_field="description",
        actions=[{"type": "set_field", "field": "probability", "value": "65"}],
    )
    with committed():
        deal_update(actor=world.users["rep"], deal=deal, amount=Decimal("3000"))
    drain()
    runs = list(RuleRun.objects.order_by("pk"))
    assert [(r.rule_id, r.depth, r.status) for r in runs] == [
        (first.pk, 0, RunStatus.DONE),
        (second.pk, 1, RunStatus.DONE),
        (third.pk, 2, RunStatus.DONE),
        (second.pk, 3, RunStatus.FAILED),
    ]
    assert "Loop stopped" in runs[-1].message
    assert "“Amount → probability” → “Probability → amount” → “Description → amount”" in (
        runs[-1].message
    )
    # Nothing runs on after the stop.
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_deleted_record_is_not_acted_on(world, admin, pipeline, committed, drain):
    rule = save_rule(admin, trigger="created", actions=[TASK_FOR_OWNER])
    runs = process_event(
        name="deal.created",
        payload={"id": 987654},
        occurred_at=datetime.datetime.now(datetime.UTC),
    )
    assert runs == [] and not _runs(rule)
    assert Rule.objects.filter(pk=rule.pk).exists()


def test_start_a_process_on_the_deal(world, admin, pipeline, deal, committed, drain):
    from rapport.processes.models import ProcessInstance
    from rapport.processes.services.templates import template_create

    template = template_create(
        actor=admin,
        name="Contract preparation",
        record_type="sales.deal",
        stages=[{"name": "Draft", "executor_role": "sales_rep", "duration_value": 2}],
    )
    rule = save_rule(
        admin,
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Negotiation").pk,
        actions=[{"type": "start_process", "template": template.pk}],
    )
    rep = world.users["rep"]
    with committed():
        deal = deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Negotiation"))
    drain()
    process = ProcessInstance.objects.get(object_id=deal.pk)
    assert process.template == template
    # Reaching the stage again while the process runs: the start is refused, the log says why.
    with committed():
        deal = deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Proposal"))
    with committed():
        deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Negotiation"))
    drain()
    first, second = _runs(rule)
    assert (
        first.status == RunStatus.DONE and "Contract preparation" in first.actions_done[0]["detail"]
    )
    assert second.status == RunStatus.FAILED and "already running" in second.message
    assert ProcessInstance.objects.filter(object_id=deal.pk).count() == 1


def test_a_process_template_for_another_record_type_is_refused(admin):
    import pytest
    from django.core.exceptions import ValidationError

    from rapport.processes.services.templates import template_create

    template = template_create(
        actor=admin,
        name="Order delivery",
        record_type="orders.order",
        stages=[{"name": "Ship", "executor_role": "sales_rep", "duration_value": 1}],
    )
    with pytest.raises(ValidationError) as caught:
        save_rule(
            admin, trigger="created", actions=[{"type": "start_process", "template": template.pk}]
        )
    assert "for another kind of record" in caught.value.message_dict["actions"][0]


def test_a_rule_whose_author_is_no_longer_an_administrator_fails(
    world, admin, pipeline, committed, drain
):
    rule = save_rule(admin, trigger="created", actions=[TASK_FOR_OWNER])
    admin.role = "sales_rep"
    admin.save(update_fields=["role"])
    with committed():
        make_deal(world.users["rep"], pipeline, world.companies["own"], name="Orphan")
    drain()
    [run] = _runs(rule)
    assert run.status == RunStatus.FAILED
    assert "no longer an active administrator" in run.message
    assert not Task.objects.filter(title="Call about Orphan").exists()
