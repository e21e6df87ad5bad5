"""Meetings sent to the customer's people as .ics invitations by e-mail.

An invitation is an e-mail in the person's language with ``invitation.ics`` (METHOD:REQUEST)
attached; a change of time or place sends it again with a higher SEQUENCE, a cancellation sends
METHOD:CANCEL. People who withdrew their consent to e-mails are refused (``contacts.consent``,
the rule every e-mail to a customer's person follows). Every letter is logged on the
customer's timeline; the e-mails leave after the commit, through the outbox.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from rapport.activities import ics
from rapport.activities.choices import ActivityKind, Direction, MeetingStatus
from rapport.activities.models import Meeting, MeetingParticipant
from rapport.contacts.consent import email_consent_withdrawn_ids, email_consent_withdrawn_message
from rapport.contacts.models import Company, Person
from rapport.core import events
from rapport.core.changelog import record_change
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import lock_for_change

ATTACHMENT = "invitation.ics"


def _language(person: Person) -> str:
    return person.preferred_language or settings.LANGUAGE_CODE


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    text = formats.date_format(start, "DATETIME_FORMAT")
    if start.date() == end.date():
        text += "–" + formats.time_format(end, "TIME_FORMAT")
    else:
        text += " – " + formats.date_format(end, "DATETIME_FORMAT")
    return f"{text} ({settings.TIME_ZONE})"


def _letter(
    meeting: Meeting, row: MeetingParticipant, everyone, *, method: str, message: str = ""
) -> EmailMessage:
    """The e-mail to one invited person, in their language, with the .ics attached."""
    person, organizer = row.person, meeting.organizer
    with translation.override(_language(person)):
        values = {
            "title": meeting.title,
            "when": _when(meeting),
            "name": person.full_name,
            "organizer": str(organizer) if organizer else _("We"),
        }
        lines = [_("Hello %(name)s,") % values, ""]
        if method == "CANCEL":
            subject = _("Cancelled: %(title)s (%(when)s)") % values
            lines.append(_("The meeting “%(title)s” on %(when)s is cancelled.") % values)
        else:
            if row.invited_at and meeting.sequence:
                subject = _("Updated invitation: %(title)s (%(when)s)") % values
                lines.append(_("The meeting “%(title)s” has changed.") % values)
            else:
                subject = _("Invitation: %(title)s (%(when)s)") % values
                lines.append(_("%(organizer)s invites you to “%(title)s”.") % values)
            lines += ["", _("When: %(when)s") % values]
            if meeting.place:
                lines.append(_("Where: %(place)s") % {"place": meeting.place})
            if meeting.link:
                lines.append(_("Link: %(link)s") % {"link": meeting.link})
            if meeting.description:
                lines += ["", _("Agenda:"), meeting.description]
            if message:
                lines += ["", message]
            lines += [
                "",
                _("The invitation is attached: open it to add the meeting to your calendar."),
            ]
        if organizer:
            lines += ["", "—", str(organizer)]
    email = EmailMessage(
        subject=" ".join(subject.split())[:200],
        body="\n".join(lines) + "\n",
        to=[row.email],
        reply_to=[organizer.email] if organizer and organizer.email else None,
    )
    # The method in the content type too: mail programs then show it as an invitation.
    email.attach(
        ATTACHMENT,
        ics.invitation(meeting, everyone, method=method).decode(),
        f"text/calendar; method={method}",
    )
    return email


def _log(actor, meeting: Meeting, letters: list[tuple[MeetingParticipant, EmailMessage]]) -> None:
    """Each letter on the customer's timeline (when the actor sees that customer)."""
    from rapport.activities.services.activities import activity_log

    if not letters or not getattr(actor, "pk", None):
        return
    people = set(
        Person.objects.restrict(actor)
        .filter(pk__in=[row.person_id for row, _email in letters])
        .values_list("pk", flat=True)
    )
    company = (
        Company.objects.restrict(actor).filter(pk=meeting.company_id).first()
        if meeting.company_id
        else None
    )
    for row, email in letters:
        if row.person_id not in people:
            continue
        activity_log(
            actor=actor,
            company=company,
            person=row.person,
            kind=ActivityKind.EMAIL,
            direction=Direction.OUTBOUND,
            subject=email.subject[:200],
            body=email.body,
        )


def letters_to_invited(actor, meeting: Meeting, *, method: str = "REQUEST") -> list[EmailMessage]:
    """The update (REQUEST) or cancellation (CANCEL) for everyone invited before, logged on the
    timeline; the caller sends them after the commit. People who have since lost their e-mail
    address or withdrawn consent are left out."""
    everyone = list(meeting.participants.select_related("user", "person"))
    invited = [row for row in everyone if row.person_id and row.invited_at]
    if not invited:
        return []
    withdrawn = email_consent_withdrawn_ids(row.person_id for row in invited)
    pairs = []
    for row in invited:
        row.email = row.person.email
        if not row.email or row.person_id in withdrawn:
            continue
        pairs.append((row, _letter(meeting, row, everyone, method=method)))
    _log(actor, meeting, pairs)
    return [email for _row, email in pairs]


def meeting_invite(
    *, actor, meeting: Meeting, people=None, message: str = "", if_match=None
) -> list[MeetingParticipant]:
    """E-mail the .ics invitation to the meeting's customer people (all of them, or ``people``).

    Refused as a whole, with a message naming each person, when one has no e-mail address or
    has withdrawn consent to e-mails. Returns the participants invited."""
    message = (message or "").strip()
    if len(message) > 5000:
        raise ValidationError({"message": [_("The message is too long.")]})
    with transaction.atomic():
        meeting = lock_for_change(actor, meeting, if_match=if_match)
        if meeting.status != MeetingStatus.PLANNED:
            raise DomainError(
                _("This meeting is %(status)s: invitations can no longer be sent.")
                % {"status": meeting.get_status_display()},
                code="not_planned",
            )
        if meeting.ends_at <= timezone.now():
            raise DomainError(
                _("The meeting is already over: there is nothing to invite to."), code="over"
            )
        everyone = list(meeting.participants.select_related("user", "person"))
        rows = [row for row in everyone if row.person_id]
        if people is not None:
            wanted = set()
            for item in people:
                try:
                    wanted.add(int(getattr(item, "pk", item)))
                except (TypeError, ValueError):
                    raise NotFound() from None
            chosen = [row for row in rows if row.person_id in wanted]
            if len(chosen) != len(wanted):
                raise ValidationError(
                    {"people": [_("Invite only people who take part in the meeting.")]}
                )
        else:
            chosen = rows
        if not chosen:
            raise ValidationError(
                {"people": [_("Add the customer's people to the meeting before inviting them.")]}
            )
        visible = set(
            Person.objects.restrict(actor)
            .filter(pk__in=[row.person_id for row in chosen])
            .values_list("pk", flat=True)
        )
        if len(visible) != len(chosen):
            raise NotFound()
        withdrawn = email_consent_withdrawn_ids(visible)
        errors = []
        for row in chosen:
            name = row.person.full_name
            if not row.person.email:
                errors.append(
                    _("%(person)s has no e-mail address: the invitation cannot be sent.")
                    % {"person": name}
                )
            elif row.person_id in withdrawn:
                errors.append(email_consent_withdrawn_message(row.person))
        if errors:
            raise ValidationError({"people": errors})
        before = {"invited": sorted(str(r.person) for r in rows if r.invited_at)}
        pairs = []
        for row in chosen:
            row.email = row.person.email
            pairs.append((row, _letter(meeting, row, everyone, method="REQUEST", message=message)))
        now = timezone.now()
        for row in chosen:
            row.invited_at = now
            row.save(update_fields=["email", "invited_at", "updated_at"])
        _log(actor, meeting, pairs)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=meeting,
            before=before,
            after={"invited": sorted(str(r.person) for r in rows if r.invited_at)},
            parent=meeting.person or meeting.company,
        )
        events.emit("meeting.invited", id=meeting.pk, people=[row.person_id for row in chosen])
        letters = [email for _row, email in pairs]
        transaction.on_commit(lambda: [letter.send() for letter in letters])
    return chosen
