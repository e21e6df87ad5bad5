"""The condition language and the texts with placeholders: data in, comparisons out, no code."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from rapport.automation import expressions
from rapport.contacts.models import Person
from rapport.sales.models import Deal


def holds(conditions, obj, match="all") -> bool:
    cleaned = expressions.clean_conditions(type(obj), conditions)
    return expressions.compile_conditions(type(obj), cleaned, match)(obj)


def deal(**fields) -> Deal:
    return Deal(
        name=fields.pop("name", "Wind farm"),
        amount=fields.pop("amount", Decimal("1500.00")),
        currency=fields.pop("currency", "EUR"),
        **fields,
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "amount", "operator": "=", "value": "1500"}, True),
        ({"field": "amount", "operator": "!=", "value": "1500"}, False),
        ({"field": "amount", "operator": ">", "value": "1499.99"}, True),
        ({"field": "amount", "operator": ">=", "value": "1500.01"}, False),
        ({"field": "amount", "operator": "<", "value": "2000"}, True),
        ({"field": "amount", "operator": "<=", "value": "1500"}, True),
        ({"field": "amount", "operator": "in", "value": "10, 1500"}, True),
        ({"field": "name", "operator": "contains", "value": "WIND"}, True),
        ({"field": "name", "operator": "=", "value": "wind farm"}, True),
        ({"field": "name", "operator": "in", "value": ["Solar", "Wind farm"]}, True),
        ({"field": "currency", "operator": "in", "value": "USD"}, False),
        ({"field": "description", "operator": "is_empty"}, True),
        ({"field": "description", "operator": "is_not_empty"}, False),
        ({"field": "probability", "operator": ">", "value": "10"}, False),  # None: not greater
        ({"field": "probability", "operator": "!=", "value": "10"}, True),
        ({"field": "expected_close_date", "operator": "<", "value": "2026-07-01"}, True),
        ({"field": "expected_close_date", "operator": "=", "value": "2026-06-30"}, True),
    ],
)
def test_each_operator(condition, expected):
    obj = deal(expected_close_date=datetime.date(2026, 6, 30))
    assert holds([condition], obj) is expected


def test_all_and_any():
    obj = deal()
    conditions = [
        {"field": "amount", "operator": ">", "value": "1000"},
        {"field": "currency", "operator": "=", "value": "USD"},
    ]
    assert holds(conditions, obj, "all") is False
    assert holds(conditions, obj, "any") is True
    assert holds([], obj) is True


@pytest.mark.django_db
def test_foreign_keys_by_id(world):
    rep = world.users["rep"]
    obj = deal(owner=rep)
    assert holds([{"field": "owner", "operator": "=", "value": rep.pk}], obj)
    assert holds([{"field": "owner", "operator": "in", "value": f"{rep.pk}"}], obj)
    assert not holds([{"field": "owner", "operator": "is_empty"}], obj)


def test_only_the_models_own_columns_are_offered():
    fields = expressions.condition_fields(Person)
    assert "birthday" in fields and "email" in fields and "owner" in fields
    for internal in ("id", "search_text", "name_key", "name_prefix", "birthday_md", "custom"):
        assert internal not in fields


def test_a_placeholder_is_one_field_and_nothing_more():
    obj = deal(description="")
    text = "{{ name }} / {{record}} / {{ amount }} / {{ currency }} / {{ description }}!"
    assert (
        expressions.render_template(obj, text) == "Wind farm / Wind farm / 1500.00 / euro (EUR) / !"
    )
    for bad in ("{{ name.upper }}", "{{ name|lower }}", "{{ __class__ }}", "{{ }}", "{{ name"):
        with pytest.raises(ValidationError):
            expressions.clean_template(Deal, bad, limit=200)
    # Template tags are plain text here: nothing is executed.
    assert expressions.render_template(obj, "{% now 'Y' %}") == "{% now 'Y' %}"


@given(st.text(max_size=60))
def test_any_text_is_either_refused_or_rendered_as_text(text):
    try:
        cleaned = expressions.clean_template(Deal, text, limit=200)
    except ValidationError:
        return
    rendered = expressions.render_template(deal(), cleaned)
    assert isinstance(rendered, str)


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.booleans(), st.none()))
def test_any_value_is_either_refused_or_compared(value):
    condition = {"field": "amount", "operator": "<", "value": value}
    try:
        cleaned = expressions.clean_conditions(Deal, [condition])
    except ValidationError:
        return
    assert isinstance(expressions.compile_conditions(Deal, cleaned, "all")(deal()), bool)
