"""The one e-mail consent rule (contacts/consent.py) that proposals, meeting invitations and
automation rules follow."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rapport.contacts.consent import (
    email_consent_withdrawn,
    email_consent_withdrawn_ids,
    email_consent_withdrawn_message,
)
from rapport.contacts.services import consent_set


def test_only_a_withdrawn_email_consent_refuses(world):
    rep, outsider = world.user("rep"), world.user("outsider")
    withdrawn, granted, nothing = (world.people[k] for k in ("own", "team", "foreign"))
    consent_set(actor=rep, person=withdrawn, channel="email", is_granted=False, method="verbal")
    consent_set(actor=rep, person=granted, channel="email", is_granted=True, method="verbal")
    # A refusal on another channel is not a refusal of e-mails.
    consent_set(actor=outsider, person=nothing, channel="sms", is_granted=False, method="verbal")

    assert email_consent_withdrawn(withdrawn)
    assert not email_consent_withdrawn(granted)
    assert not email_consent_withdrawn(nothing)
    with CaptureQueriesContext(connection) as queries:
        found = email_consent_withdrawn_ids([withdrawn.pk, granted.pk, nothing.pk, None])
    assert found == {withdrawn.pk}
    assert len(queries) == 1
    assert email_consent_withdrawn_ids([]) == set()


def test_the_refusal_reads_the_same_in_every_language(world):
    person = world.people["own"]
    assert email_consent_withdrawn_message(person) == (
        "Ownfirst Ownlast has withdrawn consent to e-mails."
    )
    with translation.override("lv"):
        assert email_consent_withdrawn_message(person) == (
            "Ownfirst Ownlast: piekrišana e-pasta saņemšanai ir atsaukta."
        )
