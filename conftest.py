"""Shared test fixtures: a small organisation with every role, and records in and out of scope."""

from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The live server's turn: held while a request runs in the application, and by a browser test
# while it works on the (shared, on SQLite) database itself, e.g. running the task worker while
# the page polls for progress.
SERVER_TURN = threading.Lock()


def _serve_one_request_at_a_time() -> None:
    """The browser tests' live server runs one request's application code at a time.

    On SQLite the tests' database is in memory and Django hands the live server the test's own
    connection; the threaded server would use that one connection from several request threads
    at once (the board loads its columns in parallel: a request could read no session and answer
    with the sign-in page). Connections are still accepted by several threads, so a socket the
    browser opens ahead of time and leaves idle never holds up the others; only the application
    waits for its turn."""
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATimeWSGIServer(ThreadedWSGIServer):
        def set_app(self, application):
            def in_turn(environ, start_response):
                with SERVER_TURN:
                    # A streamed body is read inside the turn too (it may query the database),
                    # and the response closed there (Django's end-of-request signal).
                    response = application(environ, start_response)
                    try:
                        return list(response)
                    finally:
                        if hasattr(response, "close"):
                            response.close()

            super().set_app(in_turn)

    LiveServerThread.server_class = OneAtATimeWSGIServer


_serve_one_request_at_a_time()


@contextmanager
def server_turn():
    """Hold the live server's requests (the page's polls among them) while the block runs."""
    with SERVER_TURN:
        yield


def run_task_worker() -> None:
    """Run the queued background tasks to the end, as the worker would, between two requests."""
    from django.core.management import call_command

    with server_turn():
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def pytest_configure(config):
    # Tests must not reach the network: only loopback sockets may connect.
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0")
            and not host.startswith("/")
        ):
            raise RuntimeError(f"Tests may not connect to {host!r}")
        return real_connect(self, address)

    socket.socket.connect = guarded_connect


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # In CI nothing may be skipped: a skipped test is a test that did not run.
    if os.environ.get("CI") and _skipped:
        print(f"\n{len(_skipped)} tests were skipped in CI: {_skipped[:10]}")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English: a request in another language leaves its thread switched."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_site_configuration():
    from rapport.core.custom_fields import forget_definitions
    from rapport.core.models import SiteConfiguration

    SiteConfiguration.forget()
    forget_definitions()
    yield
    SiteConfiguration.forget()
    forget_definitions()


@dataclass
class World:
    """Departments, teams, one user per role and three companies/people: own, team, foreign."""

    users: dict
    teams: dict
    companies: dict
    people: dict
    activities: dict

    def user(self, role: str):
        return self.users[role]


def build_world():
    from rapport.accounts.choices import DepartmentKind, Role
    from rapport.accounts.models import Department, Team
    from rapport.accounts.services import user_create
    from rapport.activities.services.activities import activity_log
    from rapport.contacts.services import company_create, person_create

    sales = Department.objects.create(name="Sales", kind=DepartmentKind.SALES)
    other = Department.objects.create(name="Export sales", kind=DepartmentKind.SALES)
    marketing = Department.objects.create(name="Marketing", kind=DepartmentKind.MARKETING)
    teams = {
        "a": Team.objects.create(name="Team A", department=sales),
        "b": Team.objects.create(name="Team B", department=other),
        "m": Team.objects.create(name="Marketing team", department=marketing),
    }

    def make(username, role, team=None, department=None):
        return user_create(
            actor=None,
            username=username,
            password="Test-pass-123!",
            first_name=username.capitalize(),
            last_name="Tester",
            email=f"{username}@example.com",
            role=role,
            team=team,
            department=department or (team.department if team else None),
        )

    users = {
        "admin": make("admin", Role.ADMINISTRATOR),
        "director": make("director", Role.DIRECTOR),
        "head": make("head", Role.HEAD, department=sales),
        "rep": make("rep", Role.SALES_REP, teams["a"]),
        "teammate": make("teammate", Role.SALES_REP, teams["a"]),
        "outsider": make("outsider", Role.SALES_REP, teams["b"]),
        "marketer": make("marketer", Role.MARKETER, teams["m"]),
        "support": make("support", Role.SUPPORT, teams["m"]),
        "auditor": make("auditor", Role.AUDITOR),
    }
    companies = {
        "own": company_create(
            actor=users["rep"],
            name="Own Customer SIA",
            kind="customer",
            tax_number="LV40000000001",
            phone="+371 26 000 001",
        ),
        "team": company_create(
            actor=users["teammate"],
            name="Team Customer OOO",
            kind="customer",
            email="team@example.com",
        ),
        "foreign": company_create(
            actor=users["outsider"],
            name="Foreign Customer TOV",
            kind="customer",
            tax_number="UA12345678",
        ),
    }
    people = {
        key: person_create(
            actor=company.owner,
            first_name=f"{key.capitalize()}first",
            last_name=f"{key.capitalize()}last",
            emails=[f"{key}.person@example.com"],
            phones=[f"+371 26 100 00{i}"],
            companies=[(company, "Buyer")],
        )
        for i, (key, company) in enumerate(companies.items())
    }
    activities = {
        key: activity_log(
            actor=company.owner,
            company=company,
            person=people[key],
            kind="call",
            subject=f"Call about {key}",
        )
        for key, company in companies.items()
    }
    return World(
        users=users, teams=teams, companies=companies, people=people, activities=activities
    )


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def run_tasks(transactional_db):
    """Run every queued background task with the real database worker, as production does.

    The worker closes old connections between tasks, which on PostgreSQL would end a test's
    wrapping transaction: tests that run it use real transactions (and a flushed database)."""
    from django.core.management import call_command

    def run():
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    return run


class SmtpInbox:
    """What a real SMTP server on loopback received (aiosmtpd calls ``handle_DATA``)."""

    def __init__(self):
        self.messages = []  # the envelopes, in the order they came

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self, to: str) -> list:
        """The e-mails sent to ``to``, parsed."""
        import email
        import email.policy

        return [
            email.message_from_bytes(e.content, policy=email.policy.default)
            for e in self.messages
            if to in e.rcpt_tos
        ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port, and the site's mail sent to it."""
    from aiosmtpd.controller import Controller

    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
