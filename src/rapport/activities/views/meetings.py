"""Meeting pages: plan one (from the calendar or from a record), see it, change it, cancel it,
mark it held, invite the customer's people, download it as .ics."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.activities import ics
from rapport.activities.choices import MeetingStatus, Response
from rapport.activities.forms.meetings import AnswerForm, HeldForm, InviteForm, MeetingForm
from rapport.activities.models import Meeting
from rapport.activities.selectors.calendar import parse_moment
from rapport.activities.services.meeting_invitations import meeting_invite
from rapport.activities.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_delete,
    meeting_mark_held,
    meeting_record_answer,
    meeting_update,
)
from rapport.contacts.consent import email_consent_withdrawn_ids
from rapport.core import records, scoping
from rapport.core.errors import DomainError, NotFound
from rapport.core.services import etag_for
from rapport.core.views import ScopedMixin, WriterRequiredMixin, domain_error_to_form


def _record_from(value: str, user):
    """``app_label.model:id`` (as in ?record=sales.deal:12) → the record, if the user sees it."""
    if not value:
        return None
    label, _sep, pk = value.partition(":")
    return records.find_record(user, label, pk)


def _record_key(record) -> str:
    return f"{record._meta.label_lower}:{record.pk}" if record is not None else ""


def _record_of(meeting: Meeting):
    if not meeting.content_type_id:
        return None
    key = (meeting.content_type_id, meeting.object_id)
    return records.records_by_key([key]).get(key)


class MeetingCreateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Meeting
    template_name = "activities/meeting_form.html"

    def record(self):
        return _record_from(self.request.GET.get("record", ""), self.request.user)

    def initial(self, record) -> dict:
        initial = {"kind": self.request.GET.get("kind", "meeting")}
        for name in ("start", "end"):
            value = self.request.GET.get(name)
            if value:
                try:
                    initial[f"{name}s_at"] = parse_moment(value, field=name)
                except ValidationError:
                    pass
        # The next full hour, for an hour, unless the calendar said when.
        hour = datetime.timedelta(hours=1)
        if "starts_at" not in initial:
            now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            initial["starts_at"] = now + hour
        initial.setdefault("ends_at", initial["starts_at"] + hour)
        if record is not None:
            initial["title"] = str(record)[:200]
            kind = records.record_type_of(record)
            _company, person = kind.customer_of(record) if kind else (None, None)
            if person and record._meta.label_lower == "contacts.person":
                initial["people"] = [person]
        return initial

    def context(self, form, record):
        return {"form": form, "record": record, "record_key": _record_key(record)}

    def get(self, request):
        record = self.record()
        form = MeetingForm(user=request.user, record=record, initial=self.initial(record))
        return self.render_to_response(self.context(form, record))

    def post(self, request):
        record = self.record()
        form = MeetingForm(request.POST, user=request.user, record=record)
        if form.is_valid():
            try:
                meeting = meeting_create(actor=request.user, record=record, **form.service_kwargs())
            except (ValidationError, DomainError) as exc:
                if isinstance(exc, NotFound):
                    raise Http404 from None
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Planned: %(meeting)s") % {"meeting": meeting})
                return redirect(meeting.get_absolute_url())
        return self.render_to_response(self.context(form, record), status=422)


class MeetingDetailView(ScopedMixin, TemplateView):
    model = Meeting
    template_name = "activities/meeting_detail.html"

    def get_context_data(self, **kwargs):
        meeting = self.get_scoped_object()
        user = self.request.user
        can_change = (
            scoping.may_write(user)
            and Meeting.objects.restrict(user, scoping.CHANGE).filter(pk=meeting.pk).exists()
        )
        participants = list(meeting.participants.select_related("user", "person"))
        withdrawn = email_consent_withdrawn_ids(r.person_id for r in participants if r.person_id)
        for row in participants:
            row.consent_withdrawn = row.person_id in withdrawn
        answered = [row.response for row in participants]
        return {
            **super().get_context_data(**kwargs),
            "meeting": meeting,
            "record": _record_of(meeting),
            "participants": participants,
            "can_change": can_change,
            "is_planned": meeting.status == MeetingStatus.PLANNED,
            # "Accepted: 2 · Declined: 1": each answer given, in the order of the choices.
            "answers": [
                (label, answered.count(value))
                for value, label in Response.choices
                if value != Response.NEEDS_ACTION and value in answered
            ],
            "responses": Response.choices,
            "held_form": HeldForm(),
            "invite_form": InviteForm(participants=participants),
            "version": etag_for(meeting),
        }


class MeetingUpdateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Meeting
    action = scoping.CHANGE
    template_name = "activities/meeting_form.html"

    def context(self, form, meeting):
        record = _record_of(meeting)
        return {"form": form, "meeting": meeting, "record": record}

    def get(self, request, pk):
        meeting = self.get_scoped_object()
        form = MeetingForm(user=request.user, meeting=meeting)
        form.initial["version"] = etag_for(meeting)
        return self.render_to_response(self.context(form, meeting))

    def post(self, request, pk):
        meeting = self.get_scoped_object()
        form = MeetingForm(request.POST, user=request.user, meeting=meeting)
        if form.is_valid():
            try:
                meeting_update(
                    actor=request.user,
                    meeting=meeting,
                    if_match=form.cleaned_data.get("version") or None,
                    **form.service_kwargs(),
                )
            except (ValidationError, DomainError) as exc:
                if isinstance(exc, NotFound):
                    raise Http404 from None
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(meeting.get_absolute_url())
        return self.render_to_response(self.context(form, meeting), status=422)


class MeetingActionView(WriterRequiredMixin, ScopedMixin, View):
    """A button on the meeting's page: the change is made, or the reason it was not is shown."""

    model = Meeting
    action = scoping.CHANGE

    def act(self, request, meeting):
        raise NotImplementedError

    def post(self, request, pk):
        meeting = self.get_scoped_object()
        try:
            target = self.act(request, meeting)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            return redirect(target or meeting.get_absolute_url())
        return redirect(meeting.get_absolute_url())


class MeetingCancelView(MeetingActionView):
    def act(self, request, meeting):
        meeting_cancel(actor=request.user, meeting=meeting)
        messages.success(request, _("The meeting is cancelled."))


class MeetingHeldView(MeetingActionView):
    def act(self, request, meeting):
        form = HeldForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["notes"])
        meeting_mark_held(actor=request.user, meeting=meeting, notes=form.cleaned_data["notes"])
        messages.success(request, _("The meeting is marked as held and logged on the timeline."))


class MeetingInviteView(MeetingActionView):
    def act(self, request, meeting):
        participants = list(meeting.participants.select_related("person"))
        form = InviteForm(request.POST, participants=participants)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        chosen = form.cleaned_data["people"] or None
        invited = meeting_invite(
            actor=request.user,
            meeting=meeting,
            people=chosen,
            message=form.cleaned_data["message"],
        )
        messages.success(
            request,
            _("Invitations sent to: %(people)s")
            % {"people": ", ".join(str(row.person) for row in invited)},
        )


class MeetingAnswerView(MeetingActionView):
    """The organizer's side records a participant's answer (heard by phone, by e-mail...)."""

    def act(self, request, meeting):
        form = AnswerForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        row = meeting_record_answer(
            actor=request.user,
            meeting=meeting,
            participant=form.cleaned_data["participant"],
            response=form.cleaned_data["response"],
        )
        messages.success(
            request,
            _("Answer of %(participant)s: %(answer)s")
            % {"participant": row, "answer": row.get_response_display()},
        )


class MeetingDeleteView(MeetingActionView):
    def act(self, request, meeting):
        meeting_delete(actor=request.user, meeting=meeting)
        messages.success(request, _("The meeting is deleted."))
        from django.urls import reverse

        return reverse("activities:calendar")


class MeetingIcsView(ScopedMixin, View):
    """The meeting as an .ics file, to add it to one's own calendar program."""

    model = Meeting

    def get(self, request, pk):
        meeting = self.get_scoped_object()
        participants = meeting.participants.select_related("user", "person")
        body = ics.invitation(meeting, participants, method="PUBLISH")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response
