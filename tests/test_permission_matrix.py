"""The permission matrix: every URL route and every API operation, for every role, against a
record of the user's own, of their team and of another team.

Each route declares who may use it (a rule) and how to call it. The test fails when a route or
API operation has no declaration, when someone is let in who should not be, when someone is kept
out who should get in, and when a refused write changed anything at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from rapport.accounts.services import token_create
from rapport.activities.models import Activity
from rapport.contacts.models import Company, Consent, Employment, Person
from rapport.core.configuration import custom_field_save
from rapport.core.jobs import job_start
from rapport.core.models import ChangeRecord, CustomFieldDefinition, Job, SavedFilter, Tag
from rapport.integrations.models import Webhook
from tests.app_rules import APP_RULES
from tests.permission_rules import (
    API,
    KEYS,
    ROLES,
    RULES,
    WEB,
    WRITE,
    changes_customer,
    sees_customer,
)


# Enumeration of what exists -------------------------------------------------------------------
def web_route_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("api/", "accounts/")):
                    continue
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or f"<unnamed {pattern.pattern}>")

    return set(walk(get_resolver().url_patterns))


def api_operations() -> set[tuple[str, str]]:
    from drf_spectacular.generators import EndpointEnumerator

    ops = set()
    for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints():
        ops.add((path.replace("{pk}", "{id}"), method))
    ops |= {("/api/v1/schema/", "GET"), ("/api/v1/docs/", "GET")}
    return ops


def test_every_web_route_has_an_expectation():
    assert web_route_names() == set(WEB), "declare the new route in WEB (or remove a stale one)"


def test_every_api_operation_has_an_expectation():
    assert api_operations() == set(API), "declare the new API operation in API"


def test_every_allauth_route_is_an_account_page():
    """Login, password reset, 2FA and session pages: public or own-account, never business data."""
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "accounts/":
            stack = list(pattern.url_patterns)
            while stack:
                item = stack.pop()
                if isinstance(item, URLResolver):
                    stack.extend(item.url_patterns)
                else:
                    names.add(item.name)
    assert names and all(n.startswith(("account_", "mfa_", "usersessions_")) for n in names)


# The world and its fingerprint ----------------------------------------------------------------
@dataclass
class Fixture:
    world: object
    tokens: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def _prepare(world) -> Fixture:
    from rapport.contacts.services import company_create, person_create

    fx = Fixture(world=world)
    world.twins = {
        "companies": {
            k: company_create(actor=c.owner, name=f"{c.name} twin")
            for k, c in world.companies.items()
        },
        "people": {
            k: person_create(actor=p.owner, last_name=f"{p.last_name}twin")
            for k, p in world.people.items()
        },
    }
    for role in ROLES[1:]:
        user = world.users["outsider" if role == "outsider" else role]
        fx.tokens[role] = token_create(actor=user, name="matrix")[1]
    rep_token = next(t for t in world.users["rep"].api_tokens.all())
    owners = {"own": "rep", "team": "teammate", "foreign": "outsider"}
    jobs, done_jobs = {}, {}
    for key, owner in owners.items():
        user = world.users[owner]
        jobs[key] = job_start(
            actor=user,
            kind="contacts.export",
            params={"noun": "company", "format": "csv", "query": ""},
        )
        done = job_start(
            actor=user,
            kind="contacts.export",
            params={"noun": "company", "format": "csv", "query": ""},
        )
        from rapport.contacts.imports import run_export

        run_export(done)
        Job.objects.filter(pk=done.pk).update(status="done")
        done_jobs[key] = done
    field_def = custom_field_save(
        actor=world.user("admin"),
        definition=CustomFieldDefinition(
            target="contacts.company", key="region_code", label="Region code"
        ),
    )
    change = ChangeRecord.objects.filter(object_id=world.companies["foreign"].pk).first()
    tag = Tag.objects.create(name="matrix-existing")
    webhook = Webhook.objects.create(name="Existing hook", url="http://127.0.0.1:9/", secret="s")
    for key in KEYS:
        fx.objects[key] = {
            "company": world.companies[key].pk,
            "person": world.people[key].pk,
            "activity": world.activities[key].pk,
            "job": jobs[key].pk,
            "job_done": done_jobs[key].pk,
            "token": rep_token.pk,
            "user": world.users["teammate"].pk,
            "custom_field": field_def.pk,
            "change": change.pk,
            "tag": tag.pk,
            "webhook": webhook.pk,
        }
    for app in APP_RULES:
        for key, objects in app.prepare(world).items():
            fx.objects[key].update(objects)
    return fx


def fingerprint():
    """Everything a refused request must leave exactly as it was."""
    counted = [
        Company,
        Person,
        Activity,
        Employment,
        Consent,
        ChangeRecord,
        Tag,
        SavedFilter,
        CustomFieldDefinition,
        Job,
        Webhook,
        *(model for app in APP_RULES for model in app.COUNTED),
    ]
    stamps = [
        Company,
        Person,
        Activity,
        CustomFieldDefinition,
        Webhook,
        *(model for app in APP_RULES for model in app.STAMPED),
    ]
    from rapport.accounts.models import ApiToken, User

    return (
        tuple(m.objects.count() for m in counted),
        tuple(m.objects.aggregate(x=Max("updated_at"))["x"] for m in stamps),
        ApiToken.objects.filter(revoked_at__isnull=False).count(),
        tuple(User.objects.order_by("pk").values_list("first_name", "is_active", "role")),
    )


def out_of_scope_names(world, role) -> list[str]:
    names = []
    for key in KEYS:
        if not sees_customer(role, key):
            names.append(world.companies[key].name)
            names.append(world.people[key].last_name)
    return names


def _user(world, role):
    return None if role == "anonymous" else world.users[role]


# The checks -------------------------------------------------------------------------------------
def _call_web(client, fx, name, route, role, key, method):
    kwargs = {}
    query = route.query.replace("NOW", timezone.now().isoformat().replace("+", "%2B"))
    if route.obj == "person_query":
        query = f"person={fx.world.people[key].pk}"
    elif route.obj in ("company_ids", "person_ids"):
        pass
    elif route.obj:
        kwargs["pk"] = fx.objects[key][route.obj]
    if route.extra_kwargs:
        kwargs.update(route.extra_kwargs(fx.world, key))
    url = reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else "")
    if method == "GET":
        return client.get(url)
    data = route.data(fx.world, key, _user(fx.world, role)) if route.data else {}
    return client.post(url, data)


def _keys_for(route) -> list[str | None]:
    return KEYS if route.obj else [None]


@pytest.mark.parametrize("name", sorted(WEB))
def test_web_route(world, name):
    route = WEB[name]
    fx = _prepare(world)
    failures = []
    for role in ROLES:
        for key in _keys_for(route):
            for method in route.methods:
                with transaction.atomic():
                    client = Client()
                    if role != "anonymous":
                        client.force_login(_user(world, role))
                    before = fingerprint()
                    response = _call_web(client, fx, name, route, role, key, method)
                    allowed = RULES[route.rule](role, key or "own", method)
                    if route.obj in ("company_ids", "person_ids"):
                        # Bulk actions answer with a redirect either way; the data decides.
                        allowed = route.rule != "writer" or role not in ("anonymous", "auditor")
                        kind_changes = changes_customer(role, key)
                        if allowed and not kind_changes and fingerprint() != before:
                            failures.append((role, key, method, "bulk changed a foreign record"))
                    status = response.status_code
                    if role == "anonymous" and route.rule != "public":
                        ok = status == 302 and "/accounts/login/" in response["Location"]
                        if not ok or fingerprint() != before:
                            failures.append((role, key, method, status, "anonymous got in"))
                    elif allowed:
                        if status in (403, 404) or status >= 500:
                            failures.append((role, key, method, status, "refused"))
                        elif route.hidden_names and status == 200:
                            body = response.content.decode()
                            leaked = [n for n in out_of_scope_names(world, role) if n in body]
                            if leaked:
                                failures.append((role, key, method, "leaked", leaked))
                    else:
                        if status != 404:
                            failures.append((role, key, method, status, "expected 404"))
                        if fingerprint() != before:
                            failures.append((role, key, method, "refused write changed data"))
                    transaction.set_rollback(True)
    assert not failures, failures


def _call_api(client, fx, path, route, role, key, method):
    url = path
    if route.obj:
        url = path.replace("{id}", str(fx.objects[key][route.obj]))
        # A nested record's id ({stage_id}...): the prepared object of that name.
        url = re.sub(r"\{(\w+)\}", lambda m: str(fx.objects[key][m.group(1)]), url)
    query = route.query
    if query:
        url += f"?{query}"
    headers = {}
    if role != "anonymous":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {fx.tokens[role]}"
    data = route.data(fx.world, key, _user(fx.world, role)) if route.data else None
    if method == "GET":
        return client.get(url, **headers)
    if method == "DELETE":
        return client.delete(url, **headers)
    if data is not None and any(hasattr(v, "read") for v in data.values()):
        return client.post(url, data, **headers)
    return client.generic(
        method,
        url,
        data=__import__("json").dumps(data or {}),
        content_type="application/json",
        **headers,
    )


@pytest.mark.parametrize("operation", sorted(API), ids=lambda op: f"{op[1]} {op[0]}")
def test_api_operation(world, operation):
    path, method = operation
    route = API[operation]
    fx = _prepare(world)
    failures = []
    for role in ROLES:
        for key in _keys_for(route):
            with transaction.atomic():
                client = Client()
                before = fingerprint()
                response = _call_api(client, fx, path, route, role, key, method)
                status = response.status_code
                allowed = RULES[route.rule](role, key or "own", method)
                if role == "anonymous":
                    if status not in (401, 403) or fingerprint() != before:
                        failures.append((role, key, status, "anonymous got in"))
                elif allowed:
                    if status in (401, 403, 404) or status >= 500:
                        failures.append((role, key, status, "refused", response.content[:200]))
                    elif route.hidden_names and status == 200:
                        body = response.content.decode()
                        leaked = [n for n in out_of_scope_names(world, role) if n in body]
                        if leaked:
                            failures.append((role, key, "leaked", leaked))
                else:
                    expected = (403, 404)
                    if status not in expected:
                        failures.append((role, key, status, "expected 403/404"))
                    if method in WRITE and fingerprint() != before:
                        failures.append((role, key, "refused write changed data"))
                    if status == 200:
                        failures.append((role, key, "refused with 200"))
                transaction.set_rollback(True)
    assert not failures, failures


def test_changes_list_is_empty_for_roles_without_the_change_log(world):
    fx = _prepare(world)
    client = Client()
    for role, expect_rows in (("rep", False), ("auditor", True), ("marketer", False)):
        response = client.get("/api/v1/changes/", HTTP_AUTHORIZATION=f"Bearer {fx.tokens[role]}")
        assert response.status_code == 200
        assert (response.json()["count"] > 0) is expect_rows
