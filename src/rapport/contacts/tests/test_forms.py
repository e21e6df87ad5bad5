"""A form with several mistakes reports all of them at once and saves nothing."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from rapport.contacts.models import Company, Person


def test_person_form_reports_bad_phone_and_email_with_the_missing_name(world):
    client = Client()
    client.force_login(world.user("rep"))
    before = Person.objects.count()
    response = client.post(
        reverse("contacts:person_create"),
        {
            "first_name": "Anna",
            "last_name": "",
            "emails_text": "anna@example.lv\nnot-an-e-mail",
            "phones_text": "+371 26 000 111, 12",
            "source": "manual",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in html  # the last name
    assert "“not-an-e-mail” is not a valid e-mail address." in html
    assert "“12” is not a valid phone number." in html
    assert Person.objects.count() == before


def test_company_form_reports_bad_phone_with_the_missing_name(world):
    client = Client()
    client.force_login(world.user("rep"))
    before = Company.objects.count()
    response = client.post(
        reverse("contacts:company_create"),
        {"name": "", "kind": "customer", "phone": "555", "source": "manual"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in html
    assert "“555” is not a valid phone number." in html
    assert Company.objects.count() == before
