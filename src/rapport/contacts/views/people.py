"""Person screens, including roles at companies and marketing consent."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import View

from rapport.contacts import dedupe
from rapport.contacts.filtersets import PersonFilterSet
from rapport.contacts.forms import ConsentForm, EmploymentForm, PersonForm
from rapport.contacts.models import Person
from rapport.contacts.services import (
    consent_set,
    employment_remove,
    employment_set,
    person_create,
    person_delete,
    person_merge,
    person_update,
)
from rapport.contacts.tables import PersonTable
from rapport.contacts.views import records
from rapport.core import scoping
from rapport.core.errors import DomainError, ValidationError
from rapport.core.forms import split_lines
from rapport.core.views import ScopedMixin, WriterRequiredMixin


class PersonConfig(records.RecordConfig):
    model = Person
    noun = "person"
    custom_target = "contacts.person"


class PersonListView(PersonConfig, records.RecordListView):
    filterset_class = PersonFilterSet
    table = PersonTable()
    default_sort = "name"


class PersonDetailView(PersonConfig, records.RecordDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = context["object"]
        visible_companies, _people = context["related_ids"]
        context["employments"] = person.employments.filter(
            company_id__in=visible_companies
        ).select_related("company")
        context["emails"] = list(person.emails.all())
        context["phones"] = list(person.phones.all())
        context["consents"] = list(person.consents.all())
        context["consent_form"] = ConsentForm()
        context["employment_form"] = EmploymentForm(user=self.request.user)
        context["days_to_birthday"] = person.days_to_birthday()
        return context


class PersonFormView(PersonConfig, records.RecordFormView):
    form_class = PersonForm

    def find_duplicates(self, form):
        data = form.cleaned_data
        probe = dedupe.person_probe(
            data.get("first_name", ""),
            data.get("last_name", ""),
            split_lines(data.get("emails_text", "")),
            split_lines(data.get("phones_text", "")),
        )
        return dedupe.disclose(Person, dedupe.person_matches([probe])[0], self.request.user)

    def create(self, form):
        return person_create(actor=self.request.user, **form.service_kwargs())

    def update(self, instance, form):
        return person_update(actor=self.request.user, person=instance, **form.service_kwargs())


class PersonDuplicatesView(PersonConfig, records.RecordDuplicatesView):
    def probe(self, data):
        return dedupe.person_probe(
            data.get("first_name", ""),
            data.get("last_name", ""),
            split_lines(data.get("emails_text", "")),
            split_lines(data.get("phones_text", "")),
        )


class PersonDeleteView(PersonConfig, records.RecordDeleteView):
    def delete(self, obj):
        person_delete(actor=self.request.user, person=obj)


class PersonMergeView(PersonConfig, records.RecordMergeView):
    def merge(self, target, source):
        return person_merge(actor=self.request.user, target=target, source=source)


class PersonTimelineView(PersonConfig, records.RecordTimelineView):
    pass


class PersonHistoryView(PersonConfig, records.RecordHistoryView):
    pass


class PersonVerifyView(PersonConfig, records.RecordVerifyView):
    pass


class PersonAutocompleteView(PersonConfig, records.RecordAutocompleteView):
    pass


class PersonBulkView(PersonConfig, records.RecordBulkView):
    filterset_class = PersonFilterSet


class PersonSavedFilterView(PersonConfig, records.SavedFilterCreateView):
    pass


class PersonConsentView(PersonConfig, WriterRequiredMixin, ScopedMixin, View):
    action = scoping.CHANGE

    def post(self, request, pk):
        person = self.get_scoped_object()
        form = ConsentForm(request.POST)
        if form.is_valid():
            consent_set(actor=request.user, person=person, **form.cleaned_data)
            messages.success(request, _("Consent recorded."))
        else:
            messages.error(request, _("The consent was not recorded: check the fields."))
        return redirect(person.get_absolute_url())


class PersonEmploymentView(PersonConfig, WriterRequiredMixin, ScopedMixin, View):
    action = scoping.CHANGE

    def post(self, request, pk):
        person = self.get_scoped_object()
        form = EmploymentForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                employment_set(actor=request.user, person=person, **form.cleaned_data)
            except (ValidationError, DomainError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Choose a company you can see."))
        return redirect(person.get_absolute_url())


class PersonEmploymentRemoveView(PersonConfig, WriterRequiredMixin, ScopedMixin, View):
    action = scoping.CHANGE

    def post(self, request, pk, employment_pk):
        person = self.get_scoped_object()
        employment = person.employments.filter(pk=employment_pk).first()
        if employment is None:
            from django.http import Http404

            raise Http404
        employment_remove(actor=request.user, employment=employment)
        messages.success(request, _("Removed."))
        return redirect(person.get_absolute_url())
