"""Follow-up prompts (H6): each morning the owners of open deals without a next step, and the
curators of customers without one, are told how many, once a day."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from rapport.activities import tasks as periodic
from rapport.activities.models import Meeting
from rapport.activities.selectors.tasks import deals_without_next_step
from rapport.activities.services.tasks import task_create
from rapport.contacts.models import Company
from rapport.core.models import Notification
from rapport.sales.tests.deals_factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db


def test_owners_and_curators_are_told_once_a_day(world):
    rep, teammate = world.user("rep"), world.user("teammate")
    pipeline = make_pipeline(world.user("admin"))
    own, team = world.companies["own"], world.companies["team"]
    Company.objects.update(curator=None)
    Company.objects.filter(pk=own.pk).update(curator=rep)
    Company.objects.filter(pk=team.pk).update(curator=teammate)
    bare = [make_deal(rep, pipeline, own, name=f"Bare {i}") for i in range(2)]
    planned = make_deal(rep, pipeline, own, name="Planned")
    task_create(actor=rep, title="Next step", assignee=rep, record=planned)
    met = make_deal(teammate, pipeline, team, name="Met")
    now = timezone.now()
    Meeting.objects.create(
        title="Demo",
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=1),
        organizer=teammate,
        content_type=ContentType.objects.get_for_model(met),
        object_id=met.pk,
    )
    # A meeting in the past, or cancelled, is no next step.
    past = make_deal(teammate, pipeline, team, name="Met long ago")
    Meeting.objects.create(
        title="Old demo",
        starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3) + datetime.timedelta(hours=1),
        organizer=teammate,
        content_type=ContentType.objects.get_for_model(past),
        object_id=past.pk,
    )
    assert sorted(d.name for d in deals_without_next_step(rep, owner=rep)) == [
        "Bare 0",
        "Bare 1",
    ]

    assert periodic.prompt_follow_ups(now=now) == 3
    told = {(n.user.username, n.title) for n in Notification.objects.select_related("user")}
    assert told == {
        ("rep", "2 open deals of yours have no next step planned"),
        ("teammate", "1 open deal of yours has no next step planned"),
        # The team customer's meeting is on the deal, not about the customer: no next step.
        ("teammate", "1 customer you curate has no next step planned"),
    }
    assert all(
        n.kind == "follow_up" and n.url == "/tasks/no-next-step/"
        for n in Notification.objects.all()
    )
    # The same day again (the scheduler restarted): nobody is told twice.
    assert periodic.prompt_follow_ups(now=now) == 0
    # The next morning, those still without a next step are told again.
    assert periodic.prompt_follow_ups(now=now + datetime.timedelta(days=1)) == 3
    assert bare


def test_a_closed_deal_needs_no_next_step(world):
    from rapport.sales.models import Deal

    rep = world.user("rep")
    Company.objects.update(curator=None)
    pipeline = make_pipeline(world.user("admin"))
    deal = make_deal(rep, pipeline, world.companies["own"], name="Won already")
    Deal.objects.filter(pk=deal.pk).update(status="won")
    assert not deals_without_next_step(rep).exists()
    assert periodic.prompt_follow_ups() == 0
