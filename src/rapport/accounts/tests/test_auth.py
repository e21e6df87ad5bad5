"""Signing in and out, throttling, password reset by e-mail, TOTP, deactivation, API tokens,
the per-user language and the users screen, driven through the real pages with the test client."""

from __future__ import annotations

import io
import re
import socket
import time
from html import unescape

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from rapport.accounts.models import ApiToken, User

PASSWORD = "Test-pass-123!"
LOGIN_URL = "/accounts/login/"
OUTBOX_MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}


@pytest.fixture(autouse=True)
def _clear_cache(db):
    """Rate-limit counters and used TOTP codes live in the cache; no test may see another's."""
    cache.clear()
    yield
    cache.clear()


def login(client: Client, login_name: str, password: str = PASSWORD):
    return client.post(LOGIN_URL, {"login": login_name, "password": password})


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def api_companies(raw: str):
    """Call the API as a script would: no session cookie, only the token."""
    return Client().get("/api/v1/companies/", **bearer(raw))


# Signing in and out -------------------------------------------------------------------------------
def test_login_with_username_opens_the_home_page(world, client):
    response = login(client, "rep")
    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_user_id(client) == str(world.user("rep").pk)
    home = client.get("/")
    assert home.status_code == 200
    assert "Own Customer SIA" in home.content.decode()


def test_login_with_email_address(world, client):
    response = login(client, "rep@example.com")
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(world.user("rep").pk)


def test_login_with_a_wrong_password_is_refused(world, client):
    response = login(client, "rep", "wrong-password")
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    assert client.get("/").status_code == 302


def test_logout_by_post_ends_the_session(world, client):
    login(client, "rep")
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    home = client.get("/")
    assert home.status_code == 302
    assert home.url.startswith(LOGIN_URL)


def test_logout_by_get_does_not_log_out(world, client):
    """A link or an image on a foreign page must not be able to log the user out."""
    login(client, "rep")
    client.get("/accounts/logout/")
    assert logged_in_user_id(client) == str(world.user("rep").pk)


def test_anonymous_visitor_is_sent_to_login(db, client):
    response = client.get("/companies/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


# Throttling of failed logins ----------------------------------------------------------------------
def allowed_failures(settings) -> int:
    """The smallest count in allauth's "login_failed" rate, e.g. 5 in "5/5m/ip,5/5m/key"."""
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return min(int(rate.split("/")[0]) for rate in rates)


def test_repeated_wrong_passwords_block_even_the_right_password(world, client, settings):
    failures = allowed_failures(settings)
    for _ in range(failures):
        response = login(client, "rep", "not-my-password")
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()
    response = login(client, "rep", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_successful_logins_do_not_count_towards_the_limit(world, settings):
    failures = allowed_failures(settings)
    for _ in range(failures + 2):
        client = Client()
        assert login(client, "teammate").status_code == 302
        assert logged_in_user_id(client) == str(world.user("teammate").pk)


# Password reset by e-mail -------------------------------------------------------------------------
def reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def follow_reset_link_and_set(client: Client, path: str, new_password: str):
    response = client.get(path)
    # allauth moves the key from the URL into the session before showing the form.
    assert response.status_code == 302, response.content[:500]
    form_url = response.url
    page = client.get(form_url)
    assert page.status_code == 200
    assert 'name="password1"' in page.content.decode()
    return client.post(form_url, {"password1": new_password, "password2": new_password})


def test_password_reset_message_waits_in_the_outbox_and_its_link_sets_a_new_password(
    world, client, settings
):
    from rapport.core.models import OutboxMessage

    settings.MAILERS = OUTBOX_MAILERS
    response = client.post("/accounts/password/reset/", {"email": "rep@example.com"})
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.to == "rep@example.com"
    assert "password" in message.subject.lower()
    assert message.sent_at is None  # no SMTP configured: it waits to be read by an admin
    done = follow_reset_link_and_set(client, reset_link(message.body), "Brand-new-pass-456!")
    assert done.status_code == 302

    fresh = Client()
    assert login(fresh, "rep", PASSWORD).status_code == 200  # the old password is gone
    assert logged_in_user_id(fresh) is None
    assert login(fresh, "rep", "Brand-new-pass-456!").status_code == 302
    assert logged_in_user_id(fresh) == str(world.user("rep").pk)


def test_password_reset_link_works_only_once(world, client, settings):
    from rapport.core.models import OutboxMessage

    settings.MAILERS = OUTBOX_MAILERS
    client.post("/accounts/password/reset/", {"email": "rep@example.com"})
    link = reset_link(OutboxMessage.objects.get().body)
    follow_reset_link_and_set(client, link, "Brand-new-pass-456!")
    again = Client().get(link, follow=True)
    assert 'name="password1"' not in again.content.decode()
    assert login(Client(), "rep", "Brand-new-pass-456!").status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing(world, client, settings):
    from rapport.core.models import OutboxMessage

    settings.MAILERS = OUTBOX_MAILERS
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert not OutboxMessage.objects.filter(to="nobody@example.com", body__contains="/key/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_password_reset_is_delivered_over_smtp_and_marked_sent(
    world, client, settings, smtp_server
):
    from email import message_from_bytes, policy

    from rapport.core.models import OutboxMessage

    controller, handler = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port},
        }
    }
    response = client.post("/accounts/password/reset/", {"email": "rep@example.com"})
    assert response.status_code == 302

    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.rcpt_tos == ["rep@example.com"]
    received = message_from_bytes(envelope.content, policy=policy.default)
    row = OutboxMessage.objects.get()
    assert row.sent_at is not None
    assert row.error == ""
    assert received["Subject"] == row.subject
    link = reset_link(received.get_body(("plain",)).get_content())
    assert follow_reset_link_and_set(client, link, "Over-smtp-pass-789!").status_code == 302
    assert login(Client(), "rep", "Over-smtp-pass-789!").status_code == 302


def test_unreachable_smtp_server_keeps_the_message_with_the_error(world, client, settings):
    """Nothing is lost when the mail server is down: the outbox keeps the message and why."""
    from rapport.core.models import OutboxMessage

    settings.MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    client.raise_request_exception = False
    client.post("/accounts/password/reset/", {"email": "rep@example.com"})
    row = OutboxMessage.objects.get()
    assert row.sent_at is None
    assert row.error


# Two-factor authentication (TOTP) -----------------------------------------------------------------
def totp_code(secret: str, offset: int = 0) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    # Do not compute a code that expires before the server checks it.
    if 30 - time.time() % 30 < 1.5:
        time.sleep(1.6)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def activate_totp(client: Client) -> str:
    """Activate TOTP through allauth's pages as a user would; return the secret."""
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302:
        # allauth asks for the password again before a security change.
        assert page.url.startswith("/accounts/reauthenticate/"), page.url
        again = client.post(page.url, {"password": PASSWORD})
        assert again.status_code == 302
        assert again.url == "/accounts/2fa/totp/activate/"
        page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in unescape(page.content.decode())  # shown for manual entry next to the QR code
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret, offset=7)})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    return secret


def test_user_activates_totp_and_then_login_requires_the_code(world, client):
    from allauth.mfa.models import Authenticator

    rep = world.user("rep")
    login(client, "rep")
    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=rep, type=Authenticator.Type.TOTP).exists()
    client.post("/accounts/logout/")

    fresh = Client()
    response = login(fresh, "rep")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert logged_in_user_id(fresh) is None
    assert fresh.get("/companies/").status_code == 302  # the password alone opens nothing

    wrong = fresh.post("/accounts/2fa/authenticate/", {"code": totp_code(secret, offset=7)})
    assert wrong.status_code == 200
    assert logged_in_user_id(fresh) is None

    response = fresh.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert logged_in_user_id(fresh) == str(rep.pk)
    assert fresh.get("/companies/").status_code == 200


def test_a_totp_code_cannot_be_used_twice(world):
    first = Client()
    login(first, "rep")
    secret = activate_totp(first)
    code = totp_code(secret)
    one, two = Client(), Client()
    login(one, "rep")
    login(two, "rep")
    assert one.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert two.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert logged_in_user_id(two) is None


def admin_requires_two_factor_for(roles: list[str], django_capture_on_commit_callbacks):
    admin = Client()
    assert login(admin, "admin").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/settings/", {"stale_after_days": "365", "two_factor_roles": roles})
    assert response.status_code == 302
    return response


def test_role_enforcement_sends_reps_without_totp_to_set_it_up(
    world, django_capture_on_commit_callbacks
):
    from rapport.core.models import SiteConfiguration

    rep = Client()
    login(rep, "rep")
    raw = ApiToken.issue(user=world.user("rep"), name="script")[1]
    marketer = Client()
    login(marketer, "marketer")

    admin_requires_two_factor_for(["sales_rep"], django_capture_on_commit_callbacks)
    assert SiteConfiguration.get().two_factor_roles == ["sales_rep"]

    person = world.people["own"]
    for path in ("/", "/companies/", f"/people/{person.pk}/", "/profile/", "/search/?q=own"):
        response = rep.get(path)
        assert response.status_code == 302, path
        assert response.url == "/accounts/2fa/totp/activate/", path
    # Nor can they write anything before setting it up.
    response = rep.post("/companies/new/", {"name": "Sneaked In SIA", "kind": "customer"})
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"
    from rapport.contacts.models import Company

    assert not Company.objects.filter(name="Sneaked In SIA").exists()
    # The API with a token is for scripts; it is not interrupted.
    api = api_companies(raw)
    assert api.status_code == 200
    assert api.json()["count"] >= 1
    # Other roles are not affected.
    assert marketer.get("/companies/").status_code == 200

    # The rep follows the redirect, sets up TOTP and can work again.
    activate_totp(rep)
    assert rep.get("/companies/").status_code == 200


def test_invalid_settings_form_does_not_switch_on_two_factor(world):
    """A rejected settings form must not change what the rest of the site enforces."""
    rep = Client()
    login(rep, "rep")
    assert rep.get("/companies/").status_code == 200
    admin = Client()
    login(admin, "admin")
    response = admin.post(
        "/settings/", {"stale_after_days": "0", "two_factor_roles": ["sales_rep"]}
    )
    assert response.status_code == 422
    assert rep.get("/companies/").status_code == 200


def test_only_administrators_change_the_settings(world):
    rep = Client()
    login(rep, "rep")
    assert rep.get("/settings/").status_code == 404
    response = rep.post("/settings/", {"stale_after_days": "30", "two_factor_roles": ["admin"]})
    assert response.status_code == 404
    from rapport.core.models import SiteConfiguration

    SiteConfiguration.forget()
    assert SiteConfiguration.get().two_factor_roles == []


# Deactivating a user ------------------------------------------------------------------------------
def user_form_data(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "department": user.department_id or "",
        "team": user.team_id or "",
        "branch": user.branch_id or "",
        "language": user.language,
        "is_active": "on" if user.is_active else "",
        "password": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v not in (None, False)}


def test_deactivated_user_loses_browser_session_and_api_tokens(
    world, django_capture_on_commit_callbacks
):
    from django.contrib.sessions.models import Session

    rep = world.user("rep")
    rep_browser = Client()
    login(rep_browser, "rep")
    assert rep_browser.get("/companies/").status_code == 200
    raw = ApiToken.issue(user=rep, name="script")[1]
    assert api_companies(raw).status_code == 200

    admin = Client()
    login(admin, "admin")
    form = admin.get(f"/users/{rep.pk}/")
    assert form.status_code == 200
    assert 'name="is_active"' in form.content.decode()
    data = user_form_data(rep)
    del data["is_active"]  # the admin unticks "active"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/users/{rep.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    rep.refresh_from_db()
    assert rep.is_active is False
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(rep.pk)
    ]
    response = rep_browser.get("/companies/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    assert api_companies(raw).status_code == 401
    # Nor can they sign in again.
    assert logged_in_user_id(relogin := Client()) is None
    login(relogin, "rep")
    assert logged_in_user_id(relogin) is None
    # The admin's own session is untouched.
    assert admin.get("/users/").status_code == 200


# API tokens ---------------------------------------------------------------------------------------
def test_token_created_on_the_profile_page_is_shown_once_and_works(world, client):
    login(client, "rep")
    response = client.post("/profile/tokens/", {"name": "Nightly export"})
    assert response.status_code == 200
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.content.decode())
    assert match
    raw = match.group(1)
    token = ApiToken.objects.get(user=world.user("rep"))
    assert token.name == "Nightly export"
    assert raw.startswith(token.key_hint)
    assert token.key_hash != raw  # only the hash is stored

    profile = client.get("/profile/").content.decode()
    assert raw not in profile
    assert token.key_hint in profile

    api = api_companies(raw)
    assert api.status_code == 200
    names = {c["name"] for c in api.json()["results"]}
    assert "Own Customer SIA" in names
    assert "Foreign Customer TOV" not in names  # the token acts with the user's permissions
    people = Client().get("/api/v1/people/", **bearer(raw))
    assert people.status_code == 200
    own = world.people["own"]
    [row] = [p for p in people.json()["results"] if p["id"] == own.pk]
    assert row["emails"] == ["own.person@example.com"]
    assert {p["id"] for p in people.json()["results"]}.isdisjoint({world.people["foreign"].pk})


def test_token_needs_a_name(world, client):
    login(client, "rep")
    response = client.post("/profile/tokens/", {"name": "  "})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_create_token_command_prints_a_working_token(world):
    out = io.StringIO()
    call_command("create_token", "rep", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith(ApiToken.PREFIX)
    response = api_companies(raw)
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_create_token_command_refuses_unknown_or_inactive_users(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_token", "nobody", stdout=io.StringIO())
    User.objects.filter(username="rep").update(is_active=False)
    with pytest.raises(CommandError):
        call_command("create_token", "rep", stdout=io.StringIO())


def test_revoked_token_is_refused(world, client):
    login(client, "rep")
    token, raw = ApiToken.issue(user=world.user("rep"), name="script")
    assert api_companies(raw).status_code == 200
    response = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    revoked = api_companies(raw)
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "authentication_failed"


def test_nobody_revokes_another_users_token(world):
    token, raw = ApiToken.issue(user=world.user("rep"), name="script")
    other = Client()
    login(other, "teammate")
    assert other.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert api_companies(raw).status_code == 200


def test_token_of_an_inactive_user_is_refused(world):
    from rapport.accounts.services import user_deactivate

    _token, raw = ApiToken.issue(user=world.user("rep"), name="script")
    user_deactivate(actor=world.user("admin"), user=world.user("rep"))
    assert api_companies(raw).status_code == 401


def test_unknown_or_malformed_tokens_are_refused(world):
    assert api_companies("rpt_made-up").status_code == 401
    assert Client().get("/api/v1/companies/", HTTP_AUTHORIZATION="Bearer").status_code == 401
    assert Client().get("/api/v1/companies/").status_code == 401


# Interface language -------------------------------------------------------------------------------
def search_label(html: str) -> str:
    match = re.search(r'id="global-search"[^>]*aria-label="([^"]+)"', html) or re.search(
        r'aria-label="([^"]+)"[^>]*id="global-search"', html
    )
    assert match, "the search box is missing"
    return unescape(match.group(1))


CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.mark.parametrize(
    ("language", "looks_right"),
    [
        ("ru", lambda text: bool(CYRILLIC.search(text))),
        ("uk", lambda text: bool(CYRILLIC.search(text))),
        ("lv", lambda text: text != "Search"),
    ],
)
def test_language_switch_changes_the_interface_and_is_remembered(
    world, client, language, looks_right
):
    login(client, "rep")
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert search_label(english) == "Search"

    response = client.post("/profile/language/", {"language": language, "next": "/companies/"})
    assert response.status_code == 302
    assert response.url == "/companies/"
    assert User.objects.get(username="rep").language == language

    page = client.get("/").content.decode()
    assert f'<html lang="{language}">' in page
    assert looks_right(search_label(page))

    # Remembered in the profile: a new session on another browser opens in the same language,
    # whatever the browser asks for.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(other, "rep")
    assert f'<html lang="{language}">' in other.get("/").content.decode()


def test_unknown_language_is_ignored_and_foreign_redirects_are_refused(world, client):
    login(client, "rep")
    response = client.post(
        "/profile/language/", {"language": "xx", "next": "https://evil.example.com/"}
    )
    assert response.status_code == 302
    assert response.url == "/"
    assert User.objects.get(username="rep").language == ""


# Users screen -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["director", "head", "rep", "marketer", "support", "auditor"])
def test_users_screen_is_only_for_administrators(world, role):
    client = Client()
    login(client, role)
    assert client.get("/users/").status_code == 404
    assert client.get("/users/new/").status_code == 404
    assert client.get(f"/users/{world.user('rep').pk}/").status_code == 404
    before = User.objects.count()
    response = client.post(
        "/users/new/",
        {"username": "sneaky", "role": "admin", "is_active": "on", "password": "Sneaky-pass-1!"},
    )
    assert response.status_code == 404
    assert User.objects.count() == before


def test_admin_creates_a_user_with_a_role_and_team_who_can_then_sign_in(world):
    admin = Client()
    login(admin, "admin")
    listing = admin.get("/users/")
    assert listing.status_code == 200
    assert "Teammate" in listing.content.decode()

    team = world.teams["b"]
    response = admin.post(
        "/users/new/",
        {
            "username": "newrep",
            "first_name": "Nina",
            "last_name": "Newcomer",
            "email": "nina@example.com",
            "role": "sales_rep",
            "department": team.department_id,
            "team": team.pk,
            "language": "lv",
            "is_active": "on",
            "password": "Welcome-aboard-42!",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newrep")
    assert (user.role, user.team, user.department) == ("sales_rep", team, team.department)
    assert user.language == "lv"
    assert "Newcomer" in admin.get("/users/").content.decode()

    # The new rep signs in and sees their team's customers, not another team's.
    client = Client()
    assert login(client, "newrep", "Welcome-aboard-42!").status_code == 302
    page = client.get("/companies/").content.decode()
    assert "Foreign Customer TOV" in page
    assert "Own Customer SIA" not in page


def test_admin_user_form_rejects_a_taken_email_and_a_missing_password(world):
    admin = Client()
    login(admin, "admin")
    response = admin.post(
        "/users/new/",
        {"username": "dup", "email": "REP@example.com", "role": "sales_rep", "is_active": "on"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Another user already has this e-mail address." in body
    assert "Set a password for the new user." in body
    assert not User.objects.filter(username="dup").exists()
