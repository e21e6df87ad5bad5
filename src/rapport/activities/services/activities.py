"""Logging activities: the write updates "last contact" of the company and person it concerns."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rapport.activities.models import Activity
from rapport.contacts.models import Company, Employment, Person
from rapport.contacts.services import record_contacted
from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer


def _check_subjects(actor, company: Company | None, person: Person | None) -> None:
    if company is None and person is None:
        raise ValidationError(_("An activity must concern a company or a person."))
    if company is not None and not Company.objects.restrict(actor).filter(pk=company.pk).exists():
        raise NotFound()
    if person is not None and not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise NotFound()


def activity_log(*, actor, company=None, person=None, **fields) -> Activity:
    """Log a call, meeting, e-mail or note; a person's main company is linked automatically."""
    require_writer(actor)
    _check_subjects(actor, company, person)
    if person is not None and company is None:
        employment = (
            Employment.objects.filter(person=person, is_primary=True)
            .select_related("company")
            .first()
        )
        if employment and Company.objects.restrict(actor).filter(pk=employment.company_id).exists():
            company = employment.company
    with transaction.atomic():
        activity = Activity(owner=actor, company=company, person=person, **fields)
        activity.subject = (activity.subject or "").strip()
        activity.full_clean()
        activity.save()
        record_contacted(
            company_ids=[company.pk] if company else [],
            person_ids=[person.pk] if person else [],
            when=activity.occurred_at,
        )
        ensure_in_scope(actor, activity, "view")
        events.emit("activity.logged", id=activity.pk, kind=activity.kind)
    return activity


def activity_update(*, actor, activity: Activity, if_match=None, **fields) -> Activity:
    with transaction.atomic():
        activity = lock_for_change(actor, activity, if_match=if_match)
        before = snapshot(activity)
        for key, value in fields.items():
            setattr(activity, key, value)
        activity.full_clean()
        activity.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=activity,
            before=before,
            after=snapshot(activity),
            parent=activity.person or activity.company,
        )
    return activity


def activity_delete(*, actor, activity: Activity) -> None:
    with transaction.atomic():
        activity = lock_for_change(actor, activity)
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=activity,
            before=snapshot(activity),
            parent=activity.person or activity.company,
        )
        activity.delete()
