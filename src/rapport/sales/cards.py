"""The deals of a customer on the company and person cards."""

from django.template.loader import render_to_string

from rapport.sales.selectors.deals import deals_for_company, deals_for_person


def _customer_deals(request, obj, *, can_change: bool, company=None, person=None) -> str:
    if company is not None:
        deals = deals_for_company(request.user, company)
    else:
        deals = deals_for_person(request.user, person)
    return render_to_string(
        "sales/includes/customer_deals.html",
        {"deals": deals, "company": company, "person": person, "can_change": can_change},
        request=request,
    )


def company_deals(request, company, *, can_change: bool) -> str:
    return _customer_deals(request, company, can_change=can_change, company=company)


def person_deals(request, person, *, can_change: bool) -> str:
    return _customer_deals(request, person, can_change=can_change, person=person)


SECTIONS = {"contacts.company": [company_deals], "contacts.person": [person_deals]}
