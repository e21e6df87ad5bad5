"""A customer with deals and documents: deleting them is refused with a reason, merging them
moves every deal and document to the kept record."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.contacts.models import Company, Person
from rapport.contacts.services import company_create, company_merge, person_create, person_merge
from rapport.core.errors import DomainError
from rapport.orders.models import Invoice, Order, Proposal
from rapport.orders.services.invoices import invoice_create
from rapport.sales.models import Deal
from tests.app_rules.orders_documents import make_order


def test_a_customer_with_documents_is_not_deleted(world):
    order = make_order(world, "own")
    rep = world.users["rep"]
    client = Client()
    client.force_login(rep)
    response = client.post(f"/companies/{order.company_id}/delete/", follow=True)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Company.objects.filter(pk=order.company_id).exists()
    response = client.post(f"/people/{order.person_id}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Person.objects.filter(pk=order.person_id).exists()
    token_client = Client()
    from rapport.accounts.services import token_create

    token = token_create(actor=rep, name="t")[1]
    api = token_client.delete(
        f"/api/v1/companies/{order.company_id}/", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert api.status_code in (400, 409) and api.json()["code"] == "protected"
    assert Company.objects.filter(pk=order.company_id).exists()


def test_merging_customers_moves_their_deals_and_documents(world):
    rep = world.users["rep"]
    order = make_order(world, "own")
    invoice_create(actor=rep, order=order)
    twin = company_create(actor=rep, name="Own Customer SIA (copy)")
    person_twin = person_create(actor=rep, last_name="Ownlast-copy")
    source_company, source_person = order.company, order.person
    company_merge(actor=rep, target=twin, source=source_company)
    assert not Company.objects.filter(pk=source_company.pk).exists()
    for model in (Deal, Proposal, Order, Invoice):
        assert model.objects.filter(company=twin).exists(), model
        assert not model.objects.filter(company_id=source_company.pk).exists(), model
    person_merge(actor=rep, target=person_twin, source=source_person)
    assert Order.objects.get(pk=order.pk).person_id == person_twin.pk
    assert Proposal.objects.get(pk=order.proposal_id).person_id == person_twin.pk


def test_the_refusal_is_a_domain_error_with_a_code(world):
    from rapport.contacts.services import company_delete

    order = make_order(world, "own")
    with pytest.raises(DomainError) as exc:
        company_delete(actor=world.users["rep"], company=order.company)
    assert exc.value.code == "protected"
