"""Date rules: the periodic scan queues each record once per date, workers claim the queue in
batches and never run an item twice; birthdays come back every year."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.activities.models import Task
from rapport.automation.choices import RunStatus
from rapport.automation.models import RuleRun
from rapport.automation.services import dates, reap_stale_runs
from rapport.automation.tests.helpers import save_rule
from rapport.contacts.services import person_create, person_update
from rapport.sales.services.deals import deal_update
from rapport.sales.tests.deals_factories import make_deal

TODAY = datetime.date(2026, 5, 10)
CONGRATULATE = {
    "type": "create_task",
    "title": "Congratulate {{ first_name }}",
    "assignee": "owner",
    "due_in_days": 0,
}


@pytest.fixture
def birthday_rule(admin):
    return save_rule(
        admin,
        name="Birthday of a contact",
        record_type="contacts.person",
        trigger="date_approaching",
        trigger_field="birthday",
        days_before=3,
        actions=[CONGRATULATE],
    )


def _person(world, first, birthday):
    return person_create(
        actor=world.users["rep"], first_name=first, last_name="Tester", birthday=birthday
    )


def _run_all(today=TODAY):
    return dates.run_pending(today=today)


def test_birthdays_within_the_window_get_one_task_each(world, birthday_rule):
    inside = [
        _person(world, "Today", datetime.date(1980, 5, 10)),
        _person(world, "Soon", datetime.date(1975, 5, 13)),
    ]
    _person(world, "Later", datetime.date(1990, 5, 14))
    _person(world, "Past", datetime.date(1990, 5, 9))
    assert dates.scan_date_rules(TODAY) == {"queued": 2, "pending": 2}
    assert _run_all() == {"done": 2, "dropped": 0, "batches": 1}
    tasks = Task.objects.filter(title__startswith="Congratulate")
    assert sorted(t.title for t in tasks) == ["Congratulate Soon", "Congratulate Today"]
    assert {t.object_id for t in tasks} == {p.pk for p in inside}
    assert {t.assignee_id for t in tasks} == {world.users["rep"].pk}
    runs = RuleRun.objects.filter(rule=birthday_rule).order_by("object_id")
    assert [r.trigger_key for r in runs] == ["date:birthday:2026-05-10", "date:birthday:2026-05-13"]
    assert {r.status for r in runs} == {RunStatus.DONE}
    # The next scans (the scheduler runs every quarter of an hour) find nothing new.
    assert dates.scan_date_rules(TODAY) == {"queued": 0, "pending": 0}
    assert Task.objects.filter(title__startswith="Congratulate").count() == 2
    # A day later the window takes in the next birthday, and only that one.
    assert dates.scan_date_rules(TODAY + datetime.timedelta(days=1)) == {"queued": 1, "pending": 1}
    birthday_rule.refresh_from_db()
    assert birthday_rule.runs_count == 2


def test_a_birthday_comes_back_next_year(world, birthday_rule):
    _person(world, "Yearly", datetime.date(1980, 5, 11))
    dates.scan_date_rules(TODAY)
    _run_all()
    next_year = datetime.date(2027, 5, 10)
    assert dates.scan_date_rules(next_year)["queued"] == 1
    _run_all(next_year)
    assert Task.objects.filter(title="Congratulate Yearly").count() == 2


def test_a_29_february_birthday_is_kept_on_1_march_in_a_common_year(world, birthday_rule):
    _person(world, "Leap", datetime.date(2000, 2, 29))
    assert dates.scan_rule(birthday_rule, datetime.date(2027, 2, 25)) == 0  # 1 March is 4 days off
    assert dates.scan_rule(birthday_rule, datetime.date(2027, 2, 26)) == 1
    assert RuleRun.objects.get().trigger_key == "date:birthday:2027-03-01"


def test_conditions_choose_the_records(world, admin):
    rule = save_rule(
        admin,
        record_type="contacts.person",
        trigger="date_approaching",
        trigger_field="birthday",
        days_before=0,
        conditions=[{"field": "position", "operator": "contains", "value": "director"}],
        actions=[CONGRATULATE],
    )
    boss = _person(world, "Boss", datetime.date(1970, 5, 10))
    person_update(actor=world.users["rep"], person=boss, position="Managing Director")
    _person(world, "Clerk", datetime.date(1970, 5, 10))
    assert dates.scan_rule(rule, TODAY) == 1
    _run_all()
    assert list(Task.objects.values_list("title", flat=True)) == ["Congratulate Boss"]


def test_a_date_that_moved_before_the_run_is_dropped(world, birthday_rule):
    person = _person(world, "Moved", datetime.date(1980, 5, 12))
    dates.scan_date_rules(TODAY)
    person_update(actor=world.users["rep"], person=person, birthday=datetime.date(1980, 8, 1))
    assert _run_all() == {"done": 0, "dropped": 1, "batches": 1}
    assert not Task.objects.exists()
    assert not RuleRun.objects.exists()  # no trace: a later scan queues it if it comes due


def test_deals_closing_soon(world, admin, pipeline):
    rule = save_rule(
        admin,
        trigger="date_approaching",
        trigger_field="expected_close_date",
        days_before=3,
        actions=[{"type": "notify", "recipient": "owner", "title": "{{ name }} closes soon"}],
    )
    rep = world.users["rep"]
    soon = make_deal(rep, pipeline, world.companies["own"], name="Soon")
    deal_update(actor=rep, deal=soon, expected_close_date=TODAY + datetime.timedelta(days=2))
    later = make_deal(rep, pipeline, world.companies["own"], name="Later")
    deal_update(actor=rep, deal=later, expected_close_date=TODAY + datetime.timedelta(days=9))
    assert dates.scan_rule(rule, TODAY) == 1
    _run_all()
    from rapport.core.models import Notification

    assert list(Notification.objects.values_list("title", flat=True)) == ["Soon closes soon"]
    assert RuleRun.objects.get().trigger_key == "date:expected_close_date:2026-05-12"


def test_claims_are_disjoint_batches(world, birthday_rule):
    for i in range(5):
        _person(world, f"P{i}", datetime.date(1980, 5, 11))
    dates.scan_date_rules(TODAY)
    first = dates.claim_batch(size=3)
    second = dates.claim_batch(size=3)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    assert dates.claim_batch(size=3) == []
    # A worker only runs what it claimed.
    assert dates.run_claimed(second, TODAY)["done"] == 2
    assert RuleRun.objects.filter(status=RunStatus.RUNNING).count() == 3


def test_the_periodic_scan_starts_workers_on_the_queue(world, birthday_rule, monkeypatch):
    from rapport.automation import tasks

    monkeypatch.setattr(dates, "BATCH", 2)
    for i in range(5):
        _person(world, f"Q{i}", timezone.localdate())
    tasks.scan_date_rules.call()
    assert DBTaskResult.objects.filter(task_path__endswith="run_date_queue").count() == 3
    tasks.run_date_queue.call()
    assert Task.objects.filter(title__startswith="Congratulate Q").count() == 5


def test_runs_left_behind_by_a_dead_worker(world, birthday_rule, admin, pipeline):
    _person(world, "Stuck", datetime.date(1980, 5, 11))
    dates.scan_date_rules(TODAY)
    [claimed] = dates.claim_batch()
    event_rule = save_rule(admin, trigger="created", actions=[CONGRATULATE | {"title": "x"}])
    deal = make_deal(world.users["rep"], pipeline, world.companies["own"])
    event_run = RuleRun.objects.create(
        rule=event_rule,
        content_type_id=RuleRun.objects.get(pk=claimed).content_type_id,
        object_id=deal.pk,
        trigger_key="created",
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
    )
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    RuleRun.objects.filter(status=RunStatus.RUNNING).update(started_at=long_ago)
    assert reap_stale_runs() == {"requeued": 1, "failed": 1}
    assert RuleRun.objects.get(pk=claimed).status == RunStatus.PENDING
    event_run.refresh_from_db()
    assert event_run.status == RunStatus.FAILED and "worker stopped" in event_run.message
    assert _run_all()["done"] == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_run_an_item_twice(monkeypatch):
    """Two threads (each with its own database connection) work through one queue."""
    from conftest import build_world

    world = build_world()
    admin = world.users["admin"]
    rule = save_rule(
        admin,
        record_type="contacts.person",
        trigger="date_approaching",
        trigger_field="birthday",
        days_before=0,
        actions=[CONGRATULATE],
    )
    for i in range(60):
        _person(world, f"W{i}", datetime.date(1985, 5, 10))
    dates.scan_rule(rule, TODAY)
    outcomes, errors = [], []

    def work():
        try:
            outcomes.append(dates.run_pending(today=TODAY))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    else:
        # The SQLite test database is shared in memory, where a second writer gets "table is
        # locked" at once instead of waiting (a database file waits): the two workers take
        # turns, batch by batch, claiming while the other's batch is still claimed.
        monkeypatch.setattr(dates, "BATCH", 7)
        first, second = dates.claim_batch(), dates.claim_batch()
        assert first and second and not set(first) & set(second)
        outcomes = [dates.run_claimed(second, TODAY), dates.run_claimed(first, TODAY)]
        outcomes += [dates.run_pending(today=TODAY), dates.run_pending(today=TODAY)]
    assert not errors
    assert sum(o["done"] for o in outcomes) == 60
    assert Task.objects.filter(title__startswith="Congratulate W").count() == 60
    assert RuleRun.objects.filter(status=RunStatus.DONE).count() == 60
