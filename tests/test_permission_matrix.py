"""The permission matrix: every URL route and every API operation, for every role, against a
record of the user's own, of their team and of another team.

Each route declares who may use it (a rule) and how to call it. The test fails when a route or
API operation has no declaration, when someone is let in who should not be, when someone is kept
out who should get in, and when a refused write changed anything at all.
"""

from __future__ import annotations

import io
from collections.abc import Callable
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
from rapport.core.jobs import job_start
from rapport.core.models import ChangeRecord, CustomFieldDefinition, Job, SavedFilter, Tag
from rapport.integrations.models import Webhook

ROLES = [
    "anonymous",
    "admin",
    "director",
    "head",
    "rep",
    "outsider",
    "marketer",
    "support",
    "auditor",
]
KEYS = ["own", "team", "foreign"]
WRITE = {"POST", "PUT", "PATCH", "DELETE"}


# Who may do what, restated from the user's side (the scoping code must agree) -----------------
def sees_customer(role: str, key: str) -> bool:
    if role in ("admin", "director", "auditor"):
        return True
    if role in ("head", "rep"):  # the head's department and the rep's team hold own + team
        return key in ("own", "team")
    if role == "outsider":
        return key == "foreign"
    return False  # marketing and service teams hold none of these customers


def changes_customer(role: str, key: str) -> bool:
    return role != "auditor" and sees_customer(role, key)


def changes_activity(role: str, key: str) -> bool:
    """Only the author, their head of department, a director or an administrator."""
    if role in ("admin", "director"):
        return True
    if role == "head":
        return key in ("own", "team")
    if role == "rep":
        return key == "own"
    return role == "outsider" and key == "foreign"


def owns_job(role: str, key: str) -> bool:
    return changes_activity(role, key) or role == "auditor"


RULES: dict[str, Callable[[str, str | None, str], bool]] = {
    "public": lambda role, key, method: True,
    "user": lambda role, key, method: role != "anonymous",
    "writer": lambda role, key, method: role not in ("anonymous", "auditor"),
    "admin": lambda role, key, method: role == "admin",
    "changelog": lambda role, key, method: role in ("admin", "director", "auditor"),
    "customer": lambda role, key, method: (
        changes_customer(role, key) if method in WRITE else sees_customer(role, key)
    ),
    "customer_change": lambda role, key, method: changes_customer(role, key),
    "log_activity": lambda role, key, method: role != "auditor" and sees_customer(role, key),
    "activity": lambda role, key, method: (
        changes_activity(role, key) if method in WRITE else sees_customer(role, key)
    ),
    "activity_change": lambda role, key, method: changes_activity(role, key),
    "job": lambda role, key, method: owns_job(role, key),
    "token": lambda role, key, method: role == "rep",
}


@dataclass
class Route:
    rule: str
    methods: tuple[str, ...] = ("GET",)
    obj: str | None = None  # which kind of record the URL points at
    data: Callable | None = None  # (world, key, actor) -> POST data
    query: str = ""
    hidden_names: bool = False  # a list/search: out-of-scope names must not appear
    extra_kwargs: Callable | None = None
    write_methods_are_reads: bool = False


def _company_form(world, key, actor):
    company = world.companies[key]
    return {
        "name": company.name + " (edited)",
        "kind": company.kind,
        "source": "manual",
        "address_kind": "office",
    }


def _person_form(world, key, actor):
    person = world.people[key]
    return {
        "last_name": person.last_name + "-edited",
        "first_name": person.first_name,
        "source": "manual",
    }


def _other(world, key, kind):
    """A second record held by the same owner, to merge into the first."""
    return world.twins[kind][key].pk


def _csv_upload(world, key, actor):
    data = io.BytesIO(b"name,email\nMatrix Import Co,import@example.com\n")
    data.name = "companies.csv"
    return {"target": "company", "encoding": "auto", "file": data}


def _bulk(kind):
    def data(world, key, actor):
        return {"action": "add_tag", "tag": "matrix", "ids": str(getattr(world, kind)[key].pk)}

    return data


WEB: dict[str, Route] = {
    "set_language": Route("public", ("POST",), data=lambda w, k, a: {"language": "lv"}),
    "accounts:user_list": Route("admin"),
    "accounts:user_create": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "username": "matrix.user",
            "role": "sales_rep",
            "password": "Matrix-pass-2026!",
            "is_active": "on",
        },
    ),
    "accounts:user_detail": Route(
        "admin",
        ("GET", "POST"),
        obj="user",
        data=lambda w, k, a: {
            "username": w.users["teammate"].username,
            "role": "sales_rep",
            "is_active": "on",
            "first_name": "Changed",
        },
    ),
    "accounts:profile": Route(
        "user",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "first_name": "Profiled",
            "last_name": "User",
            "email": "",
            "language": "",
            "phone": "",
        },
    ),
    "accounts:set_language": Route("user", ("POST",), data=lambda w, k, a: {"language": "uk"}),
    "accounts:token_create": Route("user", ("POST",), data=lambda w, k, a: {"name": "matrix"}),
    "accounts:token_revoke": Route("token", ("POST",), obj="token"),
    "contacts:company_list": Route("user", hidden_names=True),
    "contacts:company_create": Route(
        "writer",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "name": "Matrix New Co",
            "kind": "prospect",
            "source": "manual",
            "address_kind": "office",
            "confirm_duplicate": "on",
        },
    ),
    "contacts:company_duplicates": Route("writer", query="name=Customer"),
    "contacts:company_autocomplete": Route("user", query="q=customer", hidden_names=True),
    "contacts:company_bulk": Route("writer", ("POST",), obj="company_ids", data=_bulk("companies")),
    "contacts:company_saved_filter": Route(
        "writer", ("POST",), data=lambda w, k, a: {"name": "Mine", "query": "kind=customer"}
    ),
    "contacts:company_export": Route("user", ("POST",), data=lambda w, k, a: {"format": "csv"}),
    "contacts:company_detail": Route("customer", obj="company"),
    "contacts:company_update": Route(
        "customer_change", ("GET", "POST"), obj="company", data=_company_form
    ),
    "contacts:company_delete": Route(
        "customer_change", ("GET", "POST"), obj="company", data=lambda w, k, a: {}
    ),
    "contacts:company_verify": Route(
        "customer_change", ("POST",), obj="company", data=lambda w, k, a: {}
    ),
    "contacts:company_merge": Route(
        "customer_change",
        ("GET", "POST"),
        obj="company",
        data=lambda w, k, a: {"other": _other(w, k, "companies")},
    ),
    "contacts:company_timeline": Route("customer", obj="company", query="before=NOW"),
    "contacts:company_history": Route("customer", obj="company"),
    "contacts:person_list": Route("user", hidden_names=True),
    "contacts:person_create": Route(
        "writer",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "last_name": "Matrixson",
            "first_name": "New",
            "source": "manual",
            "confirm_duplicate": "on",
        },
    ),
    "contacts:person_duplicates": Route("writer", query="last_name=last"),
    "contacts:person_autocomplete": Route("user", query="q=last", hidden_names=True),
    "contacts:person_bulk": Route("writer", ("POST",), obj="person_ids", data=_bulk("people")),
    "contacts:person_saved_filter": Route(
        "writer", ("POST",), data=lambda w, k, a: {"name": "Mine", "query": "q=x"}
    ),
    "contacts:person_export": Route("user", ("POST",), data=lambda w, k, a: {"format": "vcf"}),
    "contacts:person_detail": Route("customer", obj="person"),
    "contacts:person_update": Route(
        "customer_change", ("GET", "POST"), obj="person", data=_person_form
    ),
    "contacts:person_delete": Route(
        "customer_change", ("GET", "POST"), obj="person", data=lambda w, k, a: {}
    ),
    "contacts:person_verify": Route(
        "customer_change", ("POST",), obj="person", data=lambda w, k, a: {}
    ),
    "contacts:person_merge": Route(
        "customer_change",
        ("GET", "POST"),
        obj="person",
        data=lambda w, k, a: {"other": _other(w, k, "people")},
    ),
    "contacts:person_timeline": Route("customer", obj="person", query="before=NOW"),
    "contacts:person_history": Route("customer", obj="person"),
    "contacts:person_consent": Route(
        "customer_change",
        ("POST",),
        obj="person",
        data=lambda w, k, a: {"channel": "sms", "is_granted": "1", "method": "paper", "text": ""},
    ),
    "contacts:person_employment": Route(
        "customer_change",
        ("POST",),
        obj="person",
        data=lambda w, k, a: {"company": w.companies[k].pk, "position": "Matrix"},
    ),
    "contacts:person_employment_remove": Route(
        "customer_change",
        ("POST",),
        obj="person",
        data=lambda w, k, a: {},
        extra_kwargs=lambda w, k: {"employment_pk": w.people[k].employments.get().pk},
    ),
    "contacts:person_vcard": Route("customer", obj="person"),
    "contacts:import_upload": Route("writer", ("GET", "POST"), data=_csv_upload),
    "contacts:job_detail": Route("job", ("GET",), obj="job"),
    "contacts:job_download": Route("job", obj="job_done"),
    "activities:activity_create": Route(
        "log_activity",
        ("GET", "POST"),
        obj="person_query",
        data=lambda w, k, a: {
            "kind": "call",
            "subject": "Matrix call",
            "occurred_at": "2026-01-05T10:00",
        },
    ),
    "activities:activity_detail": Route("activity", obj="activity"),
    "activities:activity_update": Route(
        "activity_change",
        ("GET", "POST"),
        obj="activity",
        data=lambda w, k, a: {
            "kind": "note",
            "subject": "Edited",
            "occurred_at": "2026-01-05T10:00",
        },
    ),
    "integrations:webhook_list": Route("admin"),
    "integrations:webhook_create": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "name": "Matrix hook",
            "url": "http://127.0.0.1:9/hook",
            "is_active": "on",
        },
    ),
    "integrations:webhook_update": Route(
        "admin",
        ("GET", "POST"),
        obj="webhook",
        data=lambda w, k, a: {
            "name": "Renamed hook",
            "url": "http://127.0.0.1:9/x",
            "is_active": "on",
        },
    ),
    "web:home": Route("user", hidden_names=True),
    "web:search": Route("user", query="q=customer", hidden_names=True),
    "web:changelog": Route("changelog"),
    "web:site_settings": Route(
        "admin", ("GET", "POST"), data=lambda w, k, a: {"stale_after_days": "30"}
    ),
    "web:outbox": Route("admin"),
    "web:custom_fields": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "target": "contacts.company",
            "label": "Matrix",
            "key": "matrix",
            "field_type": "text",
            "position": "0",
        },
    ),
    "web:custom_field_update": Route(
        "admin",
        ("GET", "POST"),
        obj="custom_field",
        data=lambda w, k, a: {
            "target": "contacts.company",
            "label": "Region code",
            "key": "region_code",
            "field_type": "text",
            "position": "1",
        },
    ),
}

# API operations: (path template, method) -> Route -------------------------------------------
API: dict[tuple[str, str], Route] = {}


def _api(
    path: str,
    rule: str,
    methods: tuple[str, ...],
    obj: str | None = None,
    data=None,
    query: str = "",
    hidden_names=False,
    reads=False,
):
    for method in methods:
        API[(path, method)] = Route(
            rule,
            (method,),
            obj=obj,
            data=data,
            query=query,
            hidden_names=hidden_names,
            write_methods_are_reads=reads,
        )


for plural, kind in (("companies", "company"), ("people", "person")):
    base = f"/api/v1/{plural}/"
    create = (
        (lambda w, k, a: {"name": "API New Co", "kind": "prospect"})
        if kind == "company"
        else (lambda w, k, a: {"last_name": "Apison"})
    )
    _api(base, "user", ("GET",), hidden_names=True)
    _api(base, "writer", ("POST",), data=create, query="confirm_duplicate=true")
    _api(
        base + "duplicates/",
        "user",
        ("GET",),
        query="name=Customer" if kind == "company" else "last_name=Ownlast",
    )
    _api(base + "{id}/", "customer", ("GET",), obj=kind)
    _api(
        base + "{id}/",
        "customer",
        ("PUT",),
        obj=kind,
        data=(
            lambda w, k, a, kind=kind: (
                {"name": w.companies[k].name, "kind": "customer"}
                if kind == "company"
                else {"last_name": w.people[k].last_name}
            )
        ),
    )
    _api(base + "{id}/", "customer", ("PATCH",), obj=kind, data=lambda w, k, a: {"notes": "x"})
    _api(base + "{id}/", "customer", ("DELETE",), obj=kind)
    _api(
        base + "{id}/merge/",
        "customer",
        ("POST",),
        obj=kind,
        data=lambda w, k, a, plural=plural: {
            "other": _other(w, k, "companies" if plural == "companies" else "people")
        },
    )
    _api(base + "{id}/verify/", "customer", ("POST",), obj=kind, data=lambda w, k, a: {})
    _api(base + "{id}/timeline/", "customer", ("GET",), obj=kind)
    _api(base + "{id}/history/", "customer", ("GET",), obj=kind)
_api(
    "/api/v1/people/{id}/consents/",
    "customer",
    ("POST",),
    obj="person",
    data=lambda w, k, a: {"channel": "email", "is_granted": True, "method": "web_form"},
)
_api(
    "/api/v1/people/{id}/employments/",
    "customer",
    ("POST",),
    obj="person",
    data=lambda w, k, a: {"company": w.companies[k].pk, "position": "API"},
)
_api("/api/v1/people/{id}/vcard/", "customer", ("GET",), obj="person")
_api("/api/v1/activities/", "user", ("GET",), hidden_names=True)
_api(
    "/api/v1/activities/",
    "writer",
    ("POST",),
    data=lambda w, k, a: {"kind": "note", "subject": "API note", "company": None},
)
_api("/api/v1/activities/{id}/", "activity", ("GET",), obj="activity")
_api(
    "/api/v1/activities/{id}/",
    "activity",
    ("PUT",),
    obj="activity",
    data=lambda w, k, a: {"kind": "note", "subject": "Put"},
)
_api(
    "/api/v1/activities/{id}/",
    "activity",
    ("PATCH",),
    obj="activity",
    data=lambda w, k, a: {"subject": "Patched"},
)
_api("/api/v1/activities/{id}/", "activity", ("DELETE",), obj="activity")
_api("/api/v1/imports/", "writer", ("POST",), data=_csv_upload)
_api(
    "/api/v1/exports/",
    "user",
    ("POST",),
    data=lambda w, k, a: {"list": "company", "format": "csv"},
    reads=True,
)
_api("/api/v1/jobs/", "user", ("GET",))
_api("/api/v1/jobs/{id}/", "job", ("GET",), obj="job")
_api("/api/v1/jobs/{id}/download/", "job", ("GET",), obj="job_done")
_api("/api/v1/users/", "user", ("GET",))
_api("/api/v1/users/me/", "user", ("GET",))
_api("/api/v1/users/{id}/", "user", ("GET",), obj="user")
_api("/api/v1/tags/", "user", ("GET",))
_api("/api/v1/tags/{id}/", "user", ("GET",), obj="tag")
_api("/api/v1/custom-fields/", "user", ("GET",))
_api(
    "/api/v1/custom-fields/",
    "admin",
    ("POST",),
    data=lambda w, k, a: {
        "target": "contacts.person",
        "key": "api_field",
        "label": "API field",
        "field_type": "text",
    },
)
_api("/api/v1/custom-fields/{id}/", "user", ("GET",), obj="custom_field")
_api(
    "/api/v1/custom-fields/{id}/",
    "admin",
    ("PUT",),
    obj="custom_field",
    data=lambda w, k, a: {
        "target": "contacts.company",
        "key": "region_code",
        "label": "Region",
        "field_type": "text",
    },
)
_api(
    "/api/v1/custom-fields/{id}/",
    "admin",
    ("PATCH",),
    obj="custom_field",
    data=lambda w, k, a: {"label": "Region"},
)
_api("/api/v1/custom-fields/{id}/", "admin", ("DELETE",), obj="custom_field")
_api("/api/v1/changes/", "user", ("GET",))
_api("/api/v1/changes/{id}/", "changelog", ("GET",), obj="change")
_api("/api/v1/webhooks/", "admin", ("GET",))
_api(
    "/api/v1/webhooks/",
    "admin",
    ("POST",),
    data=lambda w, k, a: {"name": "API hook", "url": "http://127.0.0.1:9/hook"},
)
for _method in ("GET", "PUT", "PATCH", "DELETE"):
    _api(
        "/api/v1/webhooks/{id}/",
        "admin",
        (_method,),
        obj="webhook",
        data=lambda w, k, a: {"name": "Renamed", "url": "http://127.0.0.1:9/hook2"},
    )
_api("/api/v1/webhooks/{id}/deliveries/", "admin", ("GET",), obj="webhook")
_api("/api/v1/schema/", "user", ("GET",))
_api("/api/v1/docs/", "user", ("GET",))


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
    field_def = CustomFieldDefinition.objects.create(
        target="contacts.company", key="region_code", label="Region code"
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
    ]
    stamps = [Company, Person, Activity, CustomFieldDefinition, Webhook]
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
