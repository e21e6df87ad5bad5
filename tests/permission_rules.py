"""Who may use each route and API operation: the declarations behind the permission matrix.

Every web route and every API operation is declared here with a rule (who may use it) and how to
call it; tests/test_permission_matrix.py checks each declaration for every role.
"""

from __future__ import annotations

import io

from tests.app_rules import APP_RULES
from tests.permission_base import (  # noqa: F401  (re-exported for the matrix test)
    KEYS,
    ROLES,
    RULES,
    WRITE,
    Route,
    api_routes,
    changes_activity,
    changes_customer,
    owns_job,
    sees_customer,
)


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
    "accounts:user_autocomplete": Route("user", query="q=tester"),
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


def _api(path: str, rule: str, methods: tuple[str, ...], **kwargs) -> None:
    API.update(api_routes(path, rule, methods, **kwargs))


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


# Each later app declares its routes beside it (tests/app_rules/<app>.py) --------------------
for _app in APP_RULES:
    RULES.update(_app.RULES)
    WEB.update(_app.WEB)
    API.update(_app.API)
