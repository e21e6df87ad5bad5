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
