"""The top-bar search finds by any script and shows matches in the lists' own order."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.contacts.models import Person
from rapport.contacts.services import person_create

pytestmark = pytest.mark.django_db

NAMES = [("Olga", "Мишина"), ("Ivan", "Zamishin"), ("Anna", "Mishin"), ("Oleg", "Мишин")]


def test_top_bar_search_shows_few_matches_in_name_order_across_scripts(world):
    director = world.user("director")
    for first, last in NAMES:
        person_create(actor=director, first_name=first, last_name=last)
    person_create(actor=director, first_name="Nope", last_name="Mishkin")  # not "mishin"
    client = Client()
    client.force_login(director)
    html = client.get("/search/", {"q": "Мишин"}).content.decode()
    shown = sorted((html.find(f"{first} {last}<"), last) for first, last in NAMES)
    expected = list(
        Person.objects.filter(last_name__in=[last for _f, last in NAMES])
        .order_by("last_name", "first_name", "pk")
        .values_list("last_name", flat=True)
    )
    assert all(position > 0 for position, _last in shown)  # all four found, Latin or Cyrillic
    assert [last for _position, last in shown] == expected
    assert "Mishkin" not in html


@pytest.mark.parametrize("sort", ["name", "-name", "-created_at", "curator"])
def test_a_searched_list_keeps_its_sort_order(world, sort):
    director = world.user("director")
    for first, last in NAMES:
        person_create(actor=director, first_name=first, last_name=last)
    client = Client()
    client.force_login(director)
    html = client.get("/people/", {"q": "мишин", "sort": sort}).content.decode()
    rows = sorted((html.find(f"{last} {first}</a>"), last) for first, last in NAMES)
    assert all(position > 0 for position, _last in rows)
    order = {
        "name": ("last_name", "first_name", "pk"),
        "-name": ("-last_name", "-first_name", "-pk"),
        "-created_at": ("-created_at", "-pk"),
        "curator": ("curator__last_name", "last_name", "pk"),
    }[sort]
    expected = Person.objects.filter(last_name__in=[last for _f, last in NAMES]).order_by(*order)
    assert [last for _position, last in rows] == list(expected.values_list("last_name", flat=True))
