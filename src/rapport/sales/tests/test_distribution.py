"""Administration of the lead intake (web forms, distribution rules); the import is in
test_leads_import.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rapport.core.models import ChangeRecord
from rapport.sales.models import DistributionRule, LeadWebForm
from rapport.sales.services.leads import lead_create


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_manages_web_forms_and_sees_the_embed_snippet(world, settings):
    settings.SITE_URL = "https://crm.example.com"
    admin = login(world.users["admin"])
    response = admin.post(
        reverse("sales:webform_admin"),
        {"name": "Price request", "key": "price", "team": world.teams["a"].pk, "is_active": "on"},
    )
    assert response.status_code == 302
    form = LeadWebForm.objects.get()
    page = admin.get(reverse("sales:webform_admin")).content.decode()
    assert "https://crm.example.com/f/price/" in page and "window.location.search" in page
    duplicate = admin.post(
        reverse("sales:webform_admin"),
        {"name": "Again", "key": "price", "team": world.teams["a"].pk},
    )
    assert duplicate.status_code == 422 and LeadWebForm.objects.count() == 1
    admin.post(reverse("sales:webform_admin_update", args=[form.pk]), {"delete": "1"})
    assert not LeadWebForm.objects.exists()
    assert ChangeRecord.objects.filter(object_repr="Price request").count() == 2
    head = login(world.users["head"])
    assert head.get(reverse("sales:webform_admin")).status_code == 404


def test_rules_are_kept_in_order_and_checked(world):
    admin = login(world.users["admin"])
    url = reverse("sales:distribution_rules")
    missing_user = admin.post(
        url, {"name": "To one", "position": "1", "method": "user", "team": world.teams["a"].pk}
    )
    assert missing_user.status_code == 422
    assert "Choose the person who gets the leads." in missing_user.content.decode()
    wrong_team = admin.post(
        url,
        {
            "name": "To one",
            "position": "1",
            "method": "user",
            "team": world.teams["a"].pk,
            "user": world.users["outsider"].pk,
        },
    )
    assert wrong_team.status_code == 422 and not DistributionRule.objects.exists()
    for name, position, team in (("Later", "5", "b"), ("First", "1", "a")):
        response = admin.post(
            url,
            {
                "name": name,
                "position": position,
                "method": "round_robin",
                "team": world.teams[team].pk,
                "is_active": "on",
            },
        )
        assert response.status_code == 302
    page = admin.get(url).content.decode()
    assert page.index("First") < page.index("Later")
    lead = lead_create(actor=None, last_name="Routed", email="r@example.com")
    assert lead.team == world.teams["a"] and lead.owner == world.users["rep"]
    assert "Rep Tester" in admin.get(url).content.decode()  # "last given to"
    assert login(world.users["director"]).get(url).status_code == 404


@pytest.mark.parametrize("role", ["auditor", "marketer"])
def test_roles_without_leads_see_an_empty_list_and_no_queue(world, role):
    lead_create(actor=world.users["rep"], last_name="Hidden", email="h@example.com")
    client = login(world.users[role])
    listing = client.get(reverse("sales:lead_list")).content.decode()
    assert ("Hidden" in listing) is (role == "auditor")
    assert client.get(reverse("sales:lead_queue")).status_code == (
        200 if role == "auditor" else 404
    )


def test_the_assignee_gets_the_e_mail_over_smtp(
    world, settings, django_capture_on_commit_callbacks
):
    from aiosmtpd.controller import Controller

    from rapport.core.tests.test_mail import Inbox, free_port

    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        DistributionRule.objects.create(
            name="To the teammate",
            method="user",
            team=world.teams["a"],
            user=world.users["teammate"],
        )
        with django_capture_on_commit_callbacks(execute=True):
            lead = lead_create(actor=None, company_name="Mailed SIA", phone="+371 26 777 000")
    finally:
        controller.stop()
    assert [m.rcpt_tos for m in inbox.messages] == [["teammate@example.com"]]
    text = inbox.messages[0].content.decode()
    assert "Mailed SIA" in text and lead.get_absolute_url() in text
