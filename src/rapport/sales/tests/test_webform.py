"""The public lead form: a visitor sends it, robots and floods are turned away, UTM is kept."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from rapport.core.models import OutboxMessage
from rapport.sales.models import DistributionRule, Lead, LeadWebForm
from rapport.sales.views.webform import RATE_LIMIT, issue_token

UTM = "utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_term=crm&utm_content=top"


@pytest.fixture(autouse=True)
def fresh_cache(db, settings):
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(world):
    return LeadWebForm.objects.create(
        name="Contact us",
        key="contact-us",
        team=world.teams["a"],
        campaign="Website 2026",
        thank_you_message="Thanks, we will call you.",
    )


def visitor(address="203.0.113.5", **headers) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def send(client, web_form, data, *, token=None, query=""):
    token = token if token is not None else issue_token(web_form, now=time.time() - 5)
    url = reverse("sales:webform", args=[web_form.key]) + (f"?{query}" if query else "")
    return client.post(url, {"token": token, **data})


GOOD = {"first_name": "Ilze", "last_name": "Kalna", "email": "ilze@example.com", "message": "Hi"}


def test_the_form_opens_without_login_in_the_visitors_language_and_can_be_embedded(web_form):
    response = visitor(HTTP_ACCEPT_LANGUAGE="lv").get(
        reverse("sales:webform", args=[web_form.key]) + "?" + UTM
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="lv">' in body
    assert 'name="url"' in body and 'name="token"' in body
    assert 'value="newsletter"' in body  # UTM carried in hidden fields
    assert "X-Frame-Options" not in response.headers


def test_a_sent_form_becomes_a_lead_given_out_by_the_rules(
    world, web_form, django_capture_on_commit_callbacks
):
    DistributionRule.objects.create(
        name="Web form to the teammate",
        web_form=web_form,
        method="user",
        team=world.teams["a"],
        user=world.users["teammate"],
    )
    client = visitor(HTTP_ACCEPT_LANGUAGE="uk")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, web_form, GOOD, query=UTM)
    assert response.status_code == 200
    assert "Thanks, we will call you." in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.source, lead.web_form, lead.campaign, lead.language) == (
        "web_form",
        web_form,
        "Website 2026",
        "uk",
    )
    assert (
        lead.utm_source,
        lead.utm_medium,
        lead.utm_campaign,
        lead.utm_term,
        lead.utm_content,
    ) == ("newsletter", "email", "spring", "crm", "top")
    assert lead.owner == world.users["teammate"]
    assert OutboxMessage.objects.get().to == "teammate@example.com"


def test_without_a_rule_the_lead_waits_in_the_forms_team_queue(world, web_form):
    web_form.campaign = ""
    web_form.save()
    send(visitor(), web_form, {"company_name": "Acme", "phone": "+371 26 555 111"}, query=UTM)
    lead = Lead.objects.get()
    assert (lead.owner, lead.team, lead.campaign) == (None, world.teams["a"], "spring")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "x@example.com"}, "Give the name of the person or of the company."),
        ({"last_name": "Kalna"}, "Give an e-mail address or a phone number."),
        ({"last_name": "Kalna", "email": "not-mail"}, "is not a valid e-mail address."),
        ({"last_name": "Kal\x00na", "email": "k@example.com"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_kept(web_form, data, message):
    response = send(visitor(), web_form, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Lead.objects.count() == 0


def test_a_robot_filling_the_trap_is_thanked_and_ignored(web_form):
    response = send(visitor(), web_form, {**GOOD, "url": "http://spam.example"})
    assert response.status_code == 200 and "Thanks" in response.content.decode()
    assert Lead.objects.count() == 0


def test_too_fast_expired_or_forged_tokens_are_refused(web_form):
    client = visitor()
    # Issued "now" (a minute ahead, so a slow test machine cannot make it look old enough).
    fast = send(client, web_form, GOOD, token=issue_token(web_form, now=time.time() + 60))
    assert fast.status_code == 400
    assert "too fast" in fast.content.decode()
    old = send(client, web_form, GOOD, token=issue_token(web_form, now=time.time() - 2 * 86400))
    assert old.status_code == 400 and "expired" in old.content.decode()
    other = LeadWebForm.objects.create(name="Other", key="other", team=web_form.team)
    forged = send(client, web_form, GOOD, token=issue_token(other, now=time.time() - 5))
    assert forged.status_code == 400
    missing = send(client, web_form, GOOD, token="")
    assert missing.status_code == 400
    assert Lead.objects.count() == 0


def test_a_flood_from_one_address_is_stopped_with_a_translated_429(web_form):
    client = visitor("198.51.100.7", HTTP_ACCEPT_LANGUAGE="en")
    for i in range(RATE_LIMIT):
        assert send(client, web_form, {**GOOD, "email": f"f{i}@example.com"}).status_code == 200
    blocked = send(client, web_form, GOOD)
    assert blocked.status_code == 429
    assert "Too many submissions" in blocked.content.decode()
    assert Lead.objects.count() == RATE_LIMIT
    # Another visitor is not affected.
    assert send(visitor("198.51.100.8"), web_form, GOOD).status_code == 200


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(web_form, settings):
    settings.RAPPORT = {**settings.RAPPORT, "TRUSTED_PROXIES": ["10.0.0.1"]}
    proxy = visitor("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for i in range(RATE_LIMIT):
        assert send(proxy, web_form, {**GOOD, "email": f"p{i}@example.com"}).status_code == 200
    assert send(proxy, web_form, GOOD).status_code == 429
    # Another visitor through the same proxy is not affected ...
    other = visitor("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert send(other, web_form, GOOD).status_code == 200
    # ... and the first cannot escape by making up a left-most entry.
    faked = visitor("10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert send(faked, web_form, GOOD).status_code == 429
    assert Lead.objects.count() == RATE_LIMIT + 1


def test_a_forged_forwarded_header_from_an_untrusted_peer_is_ignored(web_form, settings):
    settings.RAPPORT = {**settings.RAPPORT, "TRUSTED_PROXIES": ["10.0.0.1"]}
    for i in range(RATE_LIMIT + 3):
        client = visitor("203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        response = send(client, web_form, {**GOOD, "email": f"s{i}@example.com"})
        assert response.status_code == (200 if i < RATE_LIMIT else 429)
    assert Lead.objects.count() == RATE_LIMIT


def test_an_inactive_or_unknown_form_is_not_found(web_form):
    web_form.is_active = False
    web_form.save()
    assert visitor().get(reverse("sales:webform", args=["contact-us"])).status_code == 404
    assert visitor().get(reverse("sales:webform", args=["nope"])).status_code == 404
    assert send(visitor(), web_form, GOOD).status_code == 404
    assert Lead.objects.count() == 0
