"""Pages of long lists: the bounded count and the page's records come from one statement."""

from __future__ import annotations

import pytest

from rapport.core.models import Tag
from rapport.core.paging import BoundedPaginator, count_and_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags():
    # Names out of creation order, so a page in id order would be a different page.
    names = [f"tag {n:02d}" for n in (7, 3, 11, 1, 9, 5, 12, 2, 10, 4, 8, 6)]
    Tag.objects.bulk_create(Tag(name=name) for name in names)
    return sorted(names)


def names(page) -> list[str]:
    return [tag.name for tag in page]


def test_every_page_is_the_slice_of_the_ordered_list_and_the_count_stops_at_the_bound(tags):
    ordered = Tag.objects.order_by("-name", "id")
    expected = sorted(tags, reverse=True)
    for bottom in range(0, 12, 5):
        rows, exact, page = count_and_page(ordered, 100, bottom, bottom + 5)
        assert (rows, exact) == (12, True)
        assert names(page) == expected[bottom : bottom + 5]
    assert count_and_page(ordered, 10, 5, 10)[:2] == (10, False)  # "10+"
    assert names(count_and_page(ordered, 10, 5, 10)[2]) == expected[5:10]


def test_a_page_past_the_end_is_empty_but_still_counted(tags):
    rows, exact, page = count_and_page(Tag.objects.order_by("name"), 100, 20, 25)
    assert (rows, exact, names(page)) == (12, True, [])


def test_empty_lists_and_scopes_that_match_nothing(tags):
    assert count_and_page(Tag.objects.filter(name="none").order_by("name"), 100, 0, 5)[:2] == (
        0,
        True,
    )
    rows, exact, page = count_and_page(Tag.objects.none(), 100, 0, 5)
    assert (rows, exact, names(page)) == (0, True, [])


def test_the_paginator_shows_the_asked_page_and_falls_back_to_the_last_one(tags):
    paginator = BoundedPaginator(Tag.objects.order_by("name"), 5, page_hint=2)
    assert names(paginator.get_page(2)) == tags[5:10]
    past_the_end = BoundedPaginator(Tag.objects.order_by("name"), 5, page_hint=9)
    last = past_the_end.get_page(9)
    assert (last.number, names(last)) == (3, tags[10:])
