"""The "Business processes" section of the cards of every record type processes run on (see
core/records.py): each process with its stages as a schedule (planned and actual dates,
executors, deviations) and a form to start one."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string

from rapport.core import records, scoping
from rapport.processes.forms import ProcessStartForm
from rapport.processes.models import ProcessInstance
from rapport.processes.selectors import processes_for_customer, processes_for_record


def _render(request, obj, processes, *, show_record: bool) -> str:
    user = request.user
    label = obj._meta.label_lower
    changeable = (
        set(
            ProcessInstance.objects.restrict(user, scoping.CHANGE)
            .filter(pk__in=[p.pk for p in processes])
            .values_list("pk", flat=True)
        )
        if processes and scoping.may_write(user)
        else set()
    )
    for process in processes:
        process.can_change = process.pk in changeable
    start_form = None
    if scoping.may_write(user):
        # The templates for this kind of record not already running on it.
        here = ContentType.objects.get_for_model(obj, for_concrete_model=True).pk
        running = {
            p.template_id
            for p in processes
            if p.is_running and (p.content_type_id, p.object_id) == (here, obj.pk)
        }
        start_form = ProcessStartForm(record_type=label, exclude=running)
        if not start_form.fields["template"].queryset.exists():
            start_form = None
    if not processes and start_form is None:
        return ""
    return render_to_string(
        "processes/includes/card_section.html",
        {
            "processes": processes,
            "start_form": start_form,
            "record_type": label,
            "object_id": obj.pk,
            "show_record": show_record,
            "here": request.get_full_path(),
        },
        request=request,
    )


def record_processes(request, obj, *, can_change: bool) -> str:
    return _render(request, obj, processes_for_record(request.user, obj), show_record=False)


def company_processes(request, company, *, can_change: bool) -> str:
    processes = processes_for_customer(request.user, company=company)
    return _render(request, company, processes, show_record=True)


def person_processes(request, person, *, can_change: bool) -> str:
    processes = processes_for_customer(request.user, person=person)
    return _render(request, person, processes, show_record=True)


def _sections() -> dict:
    sections = {}
    for kind in records.record_types():
        if kind.label == "contacts.company":
            sections[kind.label] = [company_processes]
        elif kind.label == "contacts.person":
            sections[kind.label] = [person_processes]
        else:
            sections[kind.label] = [record_processes]
    return sections


# Every record type, tickets and others to come too (read when core.cards first renders a card).
SECTIONS = _sections()
