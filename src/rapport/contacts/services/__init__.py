"""Every write to companies and people goes through these functions."""

from rapport.contacts.services.bulk import bulk_add_tag, bulk_assign_curator
from rapport.contacts.services.companies import (
    company_create,
    company_delete,
    company_update,
)
from rapport.contacts.services.merge import company_merge, person_merge
from rapport.contacts.services.people import (
    consent_set,
    employment_remove,
    employment_set,
    person_create,
    person_delete,
    person_update,
)
from rapport.contacts.services.records import record_contacted, record_verified

__all__ = [
    "bulk_add_tag",
    "bulk_assign_curator",
    "company_create",
    "company_delete",
    "company_merge",
    "company_update",
    "consent_set",
    "employment_remove",
    "employment_set",
    "person_create",
    "person_delete",
    "person_merge",
    "person_update",
    "record_contacted",
    "record_verified",
]
