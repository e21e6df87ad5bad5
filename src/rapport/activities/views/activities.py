"""Logging and editing activities from the customer card."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from rapport.activities.forms.activities import ActivityForm
from rapport.activities.models import Activity
from rapport.activities.services.activities import activity_delete, activity_log, activity_update
from rapport.contacts.models import Company, Person
from rapport.core import scoping
from rapport.core.errors import DomainError
from rapport.core.views import ScopedMixin, WriterRequiredMixin, domain_error_to_form


class ActivityCreateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Activity
    template_name = "activities/activity_form.html"

    def subjects(self):
        user = self.request.user
        company = person = None
        if self.request.GET.get("company"):
            company = Company.objects.restrict(user).filter(pk=self.request.GET["company"]).first()
            if company is None:
                raise Http404
        if self.request.GET.get("person"):
            person = Person.objects.restrict(user).filter(pk=self.request.GET["person"]).first()
            if person is None:
                raise Http404
        if company is None and person is None:
            raise Http404
        return company, person

    def get(self, request):
        company, person = self.subjects()
        initial = {"kind": request.GET.get("kind", "call")}
        return self.render_to_response(
            {"form": ActivityForm(initial=initial), "company": company, "person": person}
        )

    def post(self, request):
        company, person = self.subjects()
        form = ActivityForm(request.POST)
        if form.is_valid():
            try:
                activity = activity_log(
                    actor=request.user, company=company, person=person, **form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Logged: %(activity)s") % {"activity": activity})
                return redirect((person or company).get_absolute_url())
        return self.render_to_response(
            {"form": form, "company": company, "person": person}, status=422
        )


class ActivityDetailView(ScopedMixin, TemplateView):
    model = Activity
    template_name = "activities/activity_detail.html"

    def get_context_data(self, **kwargs):
        activity = self.get_scoped_object()
        can_change = (
            Activity.objects.restrict(self.request.user, scoping.CHANGE)
            .filter(pk=activity.pk)
            .exists()
        )
        return {
            **super().get_context_data(**kwargs),
            "activity": activity,
            "can_change": can_change,
        }


class ActivityUpdateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Activity
    action = scoping.CHANGE
    template_name = "activities/activity_form.html"

    def get(self, request, pk):
        activity = self.get_scoped_object()
        return self.render_to_response(
            {
                "form": ActivityForm(instance=activity),
                "activity": activity,
                "company": activity.company,
                "person": activity.person,
            }
        )

    def post(self, request, pk):
        activity = self.get_scoped_object()
        if "delete" in request.POST:
            activity_delete(actor=request.user, activity=activity)
            messages.success(request, _("Deleted."))
            return redirect((activity.person or activity.company).get_absolute_url())
        form = ActivityForm(request.POST, instance=Activity.objects.get(pk=activity.pk))
        if form.is_valid():
            try:
                activity_update(actor=request.user, activity=activity, **form.cleaned_data)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect((activity.person or activity.company).get_absolute_url())
        return self.render_to_response(
            {
                "form": form,
                "activity": activity,
                "company": activity.company,
                "person": activity.person,
            },
            status=422,
        )
