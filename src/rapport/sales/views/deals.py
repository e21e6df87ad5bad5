"""Deal screens: the list, the card, the form, deleting, and the people around a deal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.core import scoping
from rapport.core.cards import card_sections
from rapport.core.changelog import history_for
from rapport.core.errors import DomainError
from rapport.core.services import etag_for
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)
from rapport.sales.filtersets.deals import DealFilterSet
from rapport.sales.forms.deals import (
    DealCompetitorForm,
    DealContactForm,
    DealForm,
    DealParticipantForm,
)
from rapport.sales.models import Deal, LostReason, Pipeline
from rapport.sales.selectors.deals import stage_history, time_per_stage
from rapport.sales.services import deals as services
from rapport.sales.tables.deals import DEAL_SORTS, LIST_RELATED
from rapport.sales.views.board import deal_nouns


class DealListView(FilteredListMixin, TemplateView):
    model = Deal
    filterset_class = DealFilterSet
    sort_fields = DEAL_SORTS
    default_sort = "-created_at"
    template_name = "sales/deal_list.html"

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).select_related(*LIST_RELATED)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "filter": self.filterset,
            "page": self.page(),
            "sort": self.sort_key(),
            "sorts": DEAL_SORTS,
            "query_without_page": self.query_without("page"),
            "query_without_sort": self.query_without("sort", "page"),
            "can_write": scoping.may_write(self.request.user),
            "pipelines": Pipeline.objects.filter(is_active=True),
        }


class DealDetailView(ScopedMixin, TemplateView):
    model = Deal
    template_name = "sales/deal_detail.html"

    def scoped_queryset(self, action=None):
        return (
            super()
            .scoped_queryset(action)
            .select_related(
                "pipeline", "stage", "company", "person", "owner", "team", "lost_reason", "lead"
            )
        )

    def get_context_data(self, **kwargs):
        deal = self.get_scoped_object()
        user = self.request.user
        can_change = Deal.objects.restrict(user, scoping.CHANGE).filter(pk=deal.pk).exists()
        noun, plural = deal_nouns(deal.pipeline)
        return {
            **super().get_context_data(**kwargs),
            "deal": deal,
            "object": deal,
            "noun": noun,
            "noun_plural": plural,
            "version": etag_for(deal),
            "can_change": can_change,
            "stays": stage_history(deal),
            "per_stage": time_per_stage(deal),
            "stages": deal.pipeline.stages.order_by("position", "pk"),
            "lost_reasons": LostReason.objects.filter(is_active=True),
            "contacts": deal.contacts.select_related("person"),
            "participants": deal.participants.select_related("user", "partner"),
            "competitors": deal.competitors.select_related("company"),
            "contact_form": DealContactForm(user=user, prefix="contact"),
            "participant_form": DealParticipantForm(user=user, prefix="participant"),
            "competitor_form": DealCompetitorForm(user=user, prefix="competitor"),
            "changes": history_for([deal])[:50],
            "card_sections": card_sections(self.request, deal, can_change=can_change),
        }


class DealFormView(WriterRequiredMixin, ScopedMixin, TemplateView):
    """Create (no pk) or edit (pk) a deal through its services; a stale form is refused."""

    model = Deal
    action = scoping.CHANGE
    template_name = "sales/deal_form.html"

    def get_instance(self):
        return self.get_scoped_object() if "pk" in self.kwargs else None

    def initial(self, deal):
        if deal is not None:
            data = {
                name: getattr(deal, name)
                for name in DealForm.base_fields
                if name not in ("version",) and hasattr(deal, name)
            }
            data["version"] = etag_for(deal)
            return data
        get = self.request.GET
        pipeline = None
        if get.get("pipeline", "").isdigit():
            pipeline = Pipeline.objects.filter(pk=get["pipeline"]).first()
        pipeline = pipeline or Pipeline.objects.filter(is_active=True).first()
        initial = {"source": "manual", "amount": 0}
        if pipeline:
            initial.update(pipeline=pipeline.pk, currency=pipeline.currency)
        for name in ("company", "person", "stage"):
            if get.get(name, "").isdigit():
                initial[name] = get[name]
        return initial

    def context(self, deal, form):
        pipeline = deal.pipeline if deal else None
        if pipeline is None:
            chosen = str(form["pipeline"].value() or "")
            pipeline = Pipeline.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        noun, _plural = deal_nouns(pipeline)
        return {"form": form, "deal": deal, "noun": noun}

    def get(self, request, pk=None):
        deal = self.get_instance()
        form = DealForm(initial=self.initial(deal), user=request.user)
        return self.render_to_response(self.context(deal, form))

    def post(self, request, pk=None):
        deal = self.get_instance()
        form = DealForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                if deal is None:
                    deal = services.deal_create(
                        actor=request.user, **form.service_kwargs(creating=True)
                    )
                else:
                    deal = services.deal_update(
                        actor=request.user,
                        deal=deal,
                        if_match=form.cleaned_data.get("version") or None,
                        **form.service_kwargs(creating=False),
                    )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(deal.get_absolute_url())
        return self.render_to_response(self.context(deal, form), status=422)


class DealDeleteView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Deal
    action = scoping.DELETE
    template_name = "sales/deal_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "deal": self.get_scoped_object()}

    def post(self, request, pk):
        deal = self.get_scoped_object()
        services.deal_delete(actor=request.user, deal=deal)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": deal})
        return redirect("sales:deal_list")


PART_FORMS = {
    "contact": DealContactForm,
    "participant": DealParticipantForm,
    "competitor": DealCompetitorForm,
}


class DealPartAddView(WriterRequiredMixin, ScopedMixin, View):
    """Add a contact person, a participant or a competitor (``kind``) to a deal."""

    model = Deal
    action = scoping.CHANGE

    def post(self, request, pk):
        deal = self.get_scoped_object()
        kind = request.POST.get("kind", "")
        if kind not in PART_FORMS:
            raise Http404
        form = PART_FORMS[kind](request.POST, user=request.user, prefix=kind)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if kind == "contact":
                    services.deal_contact_add(
                        actor=request.user, deal=deal, person=data["person"], role=data["role"]
                    )
                elif kind == "participant":
                    services.deal_participant_add(
                        actor=request.user,
                        deal=deal,
                        user=data["user"],
                        partner=data["partner"],
                        role=data["role"],
                    )
                else:
                    services.deal_competitor_add(
                        actor=request.user, deal=deal, company=data["company"], note=data["note"]
                    )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Added."))
                return redirect(deal.get_absolute_url())
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        return redirect(deal.get_absolute_url())


class DealPartRemoveView(WriterRequiredMixin, ScopedMixin, View):
    model = Deal
    action = scoping.CHANGE
    removers = {
        "contact": ("deal_contact_remove", "contact_id"),
        "participant": ("deal_participant_remove", "participant_id"),
        "competitor": ("deal_competitor_remove", "competitor_id"),
    }

    def post(self, request, pk):
        deal = self.get_scoped_object()
        kind, part = request.POST.get("kind", ""), request.POST.get("id", "")
        if kind not in self.removers or not part.isdigit():
            raise Http404
        name, argument = self.removers[kind]
        getattr(services, name)(actor=request.user, deal=deal, **{argument: int(part)})
        messages.success(request, _("Removed."))
        return redirect(deal.get_absolute_url())
