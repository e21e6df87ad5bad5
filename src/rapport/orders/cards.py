"""The document chain (offer → order → invoice → payment → shipment) on the deal and company
cards."""

from django.template.loader import render_to_string

from rapport.orders.selectors import chain_for_company, chain_for_deal


def deal_documents(request, deal, *, can_change: bool) -> str:
    return render_to_string(
        "orders/includes/card_chain.html",
        {"chain": chain_for_deal(request.user, deal), "deal": deal, "can_change": can_change},
        request=request,
    )


def company_documents(request, company, *, can_change: bool) -> str:
    chain = chain_for_company(request.user, company)
    if chain.is_empty:
        return ""
    return render_to_string(
        "orders/includes/card_chain.html", {"chain": chain, "company": company}, request=request
    )


SECTIONS = {"sales.deal": [deal_documents], "contacts.company": [company_documents]}
