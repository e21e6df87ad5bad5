"""Company screens."""

from __future__ import annotations

from rapport.contacts import dedupe
from rapport.contacts.filtersets import CompanyFilterSet
from rapport.contacts.forms import CompanyForm
from rapport.contacts.models import Company, Employment, Person
from rapport.contacts.services import company_create, company_delete, company_merge, company_update
from rapport.contacts.tables import CompanyTable
from rapport.contacts.views import records

PEOPLE_ON_CARD = 25


class CompanyConfig(records.RecordConfig):
    model = Company
    noun = "company"
    custom_target = "contacts.company"


class CompanyListView(CompanyConfig, records.RecordListView):
    filterset_class = CompanyFilterSet
    table = CompanyTable()
    default_sort = "name"


MAX_LISTED_IDS = 5000
# What the card's people list shows of each person (not their custom fields or search text).
PERSON_ON_CARD = (
    "position",
    "company_id",
    "person_id",
    *(f"person__{name}" for name in ("first_name", "middle_name", "last_name", "phone")),
)


class CompanyDetailView(CompanyConfig, records.RecordDetailView):
    related_on_card = ("curator", "team", "territory", "branch")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        company = context["object"]
        _company_ids, visible_people = context["related_ids"]
        if len(visible_people) > MAX_LISTED_IDS:  # keep SQLite's parameter limit far away
            visible_people = Person.objects.restrict(self.request.user).values("pk")
        employments = list(
            Employment.objects.filter(company=company, person_id__in=visible_people)
            .select_related("person")
            .only(*PERSON_ON_CARD)
            .order_by("person__last_name", "person__first_name")[: PEOPLE_ON_CARD + 1]
        )
        # A long staff list lives in the people list (filtered by this company), not on the card.
        context["employments"] = employments[:PEOPLE_ON_CARD]
        context["more_people"] = len(employments) > PEOPLE_ON_CARD
        context["addresses"] = list(company.addresses.all())
        return context


class CompanyFormView(CompanyConfig, records.RecordFormView):
    form_class = CompanyForm

    def find_duplicates(self, form):
        probe = dedupe.company_probe(form.cleaned_data)
        return dedupe.disclose(Company, dedupe.company_matches([probe])[0], self.request.user)

    def create(self, form):
        return company_create(actor=self.request.user, **form.service_kwargs())

    def update(self, instance, form):
        return company_update(actor=self.request.user, company=instance, **form.service_kwargs())


class CompanyDuplicatesView(CompanyConfig, records.RecordDuplicatesView):
    def probe(self, data):
        return dedupe.company_probe(data)


class CompanyDeleteView(CompanyConfig, records.RecordDeleteView):
    def delete(self, obj):
        company_delete(actor=self.request.user, company=obj)


class CompanyMergeView(CompanyConfig, records.RecordMergeView):
    def merge(self, target, source):
        return company_merge(actor=self.request.user, target=target, source=source)


class CompanyTimelineView(CompanyConfig, records.RecordTimelineView):
    pass


class CompanyHistoryView(CompanyConfig, records.RecordHistoryView):
    pass


class CompanyVerifyView(CompanyConfig, records.RecordVerifyView):
    pass


class CompanyAutocompleteView(CompanyConfig, records.RecordAutocompleteView):
    pass


class CompanyBulkView(CompanyConfig, records.RecordBulkView):
    filterset_class = CompanyFilterSet


class CompanySavedFilterView(CompanyConfig, records.SavedFilterCreateView):
    pass
