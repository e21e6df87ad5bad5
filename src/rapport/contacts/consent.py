"""Whether we may e-mail a person: the one rule every e-mail to a customer's person follows (a
proposal's PDF, a meeting's .ics invitation, an automation rule's templated e-mail).

A person who withdrew their consent to e-mails (an e-mail consent recorded as not given) gets
none. No consent recorded at all is not a refusal: these are business letters, not marketing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from rapport.contacts.choices import ConsentChannel
from rapport.contacts.models import Consent, Person


def email_consent_withdrawn_ids(person_ids: Iterable[int | None]) -> set[int]:
    """Those of ``person_ids`` who withdrew their consent to e-mails (one query for any number
    of people)."""
    ids = {pk for pk in person_ids if pk}
    if not ids:
        return set()
    return set(
        Consent.objects.filter(
            person_id__in=ids, channel=ConsentChannel.EMAIL, is_granted=False
        ).values_list("person_id", flat=True)
    )


def email_consent_withdrawn(person: Person) -> bool:
    return bool(email_consent_withdrawn_ids([person.pk]))


def email_consent_withdrawn_message(person: Person) -> str:
    """Why the e-mail to ``person`` is refused, in the active language."""
    return _("%(person)s has withdrawn consent to e-mails.") % {"person": person.full_name}
