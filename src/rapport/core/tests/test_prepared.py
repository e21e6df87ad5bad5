"""Reads prepared once return what the ORM returns, for any ids, on either database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.contacts.models import Consent
from rapport.contacts.services import consent_set
from rapport.core.models import Tag
from rapport.core.prepared import IdsQuery, Prepared

pytestmark = pytest.mark.django_db

CONSENTS = IdsQuery(
    lambda: Consent.objects.order_by("channel").values_list(
        "person_id", "channel", "is_granted", "recorded_at"
    ),
    "person_id",
)


def test_rows_equal_the_orms_values_with_dates_and_booleans_converted(world):
    rep = world.user("rep")
    own, team = world.people["own"], world.people["team"]
    consent_set(actor=rep, person=own, channel="email", is_granted=True, method="web_form")
    consent_set(actor=rep, person=own, channel="sms", is_granted=False, method="verbal")
    consent_set(actor=rep, person=team, channel="phone", is_granted=True, method="verbal")
    for ids in ([own.pk], [own.pk, team.pk], [team.pk, own.pk, 999_999]):
        expected = list(
            Consent.objects.filter(person_id__in=ids)
            .order_by("channel")
            .values_list("person_id", "channel", "is_granted", "recorded_at")
        )
        assert CONSENTS.rows(ids) == expected
    granted = CONSENTS.grouped([own.pk])[own.pk]
    assert [(channel, is_granted) for channel, is_granted, _when in granted] == [
        ("email", True),
        ("sms", False),
    ]
    assert all(when.tzinfo is not None for _c, _g, when in granted)


def test_no_ids_reads_nothing_and_the_sql_is_built_once(world):
    with CaptureQueriesContext(connection) as nothing:
        assert CONSENTS.rows([]) == [] and CONSENTS.grouped([]) == {}
    assert len(nothing.captured_queries) == 0
    CONSENTS.rows([world.people["own"].pk])
    compiled = CONSENTS.compiled("default")
    CONSENTS.rows([world.people["team"].pk, world.people["own"].pk])
    assert CONSENTS.compiled("default") is compiled


def test_a_read_without_variables_sees_rows_added_after_it_was_prepared():
    names = Prepared(lambda: Tag.objects.order_by("name").values_list("name", flat=True))
    Tag.objects.create(name="beta")
    assert names.rows() == [("beta",)]
    Tag.objects.create(name="alpha")
    assert names.rows() == [("alpha",), ("beta",)]
