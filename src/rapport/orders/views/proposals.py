"""Proposal pages: the list, creating one from a deal, the card with its lines (htmx), PDF,
sending, decisions and versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.core import scoping
from rapport.core.errors import DomainError, ValidationError
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)
from rapport.orders.choices import PROPOSAL_MOVES, ApprovalStatus, ProposalStatus
from rapport.orders.filtersets.proposals import PROPOSAL_SORTS, ProposalFilterSet
from rapport.orders.forms.proposals import (
    DecisionForm,
    LineAddForm,
    LineUpdateForm,
    ProposalCreateForm,
    ProposalHeaderForm,
    RevisionForm,
    SendForm,
)
from rapport.orders.models import Proposal, ProposalLine
from rapport.orders.services import proposals as services


def error_message(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc.message)


def form_errors(form) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


def can_change(user, obj) -> bool:
    return type(obj).objects.restrict(user, scoping.CHANGE).filter(pk=obj.pk).exists()


class ProposalListView(FilteredListMixin, TemplateView):
    model = Proposal
    filterset_class = ProposalFilterSet
    sort_fields = PROPOSAL_SORTS
    default_sort = "-created"
    template_name = "orders/proposal_list.html"

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).select_related("company", "person", "owner", "deal")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "page": self.page(),
            "filter": self.filterset,
            "sort": self.sort_key(),
            "query_without_sort": self.query_without("sort", "page"),
        }


class ProposalCreateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    """A new proposal on a deal (``deals/<pk>/proposals/new/`` or ``proposals/new/?deal=<pk>``)."""

    model = Proposal
    template_name = "orders/proposal_create.html"

    def deal(self):
        from rapport.sales.models import Deal

        pk = self.kwargs.get("pk") or self.request.GET.get("deal") or self.request.POST.get("deal")
        if not pk:
            return None
        if not str(pk).isdigit():
            raise Http404
        deal = Deal.objects.restrict(self.request.user, scoping.CHANGE).filter(pk=pk).first()
        if deal is None:
            raise Http404
        return deal

    def get(self, request, pk=None):
        deal = self.deal()
        form = ProposalCreateForm(initial={"title": deal.name if deal else ""})
        return self.render_to_response({"form": form, "deal": deal})

    def post(self, request, pk=None):
        deal = self.deal()
        if deal is None:
            raise Http404
        form = ProposalCreateForm(request.POST)
        if form.is_valid():
            try:
                proposal = services.proposal_create(
                    actor=request.user,
                    deal=deal,
                    title=form.cleaned_data["title"],
                    price_list=form.cleaned_data["price_list"],
                )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Proposal %(number)s created.") % {"number": proposal})
                return redirect(proposal.get_absolute_url())
        return self.render_to_response({"form": form, "deal": deal}, status=422)


def card_context(request, proposal: Proposal, **extra) -> dict:
    user = request.user
    proposal = (
        Proposal.objects.select_related(
            "deal", "company", "person", "owner", "team", "price_list", "discount_approved_by"
        )
        .filter(pk=proposal.pk)
        .first()
    )
    writable = can_change(user, proposal)
    editable = writable and proposal.status == ProposalStatus.DRAFT
    moves = PROPOSAL_MOVES.get(proposal.status, set()) if writable else set()
    ready = proposal.discount_approval not in (ApprovalStatus.PENDING, ApprovalStatus.REFUSED)
    people = services.recipients(proposal, user)
    context = {
        "proposal": proposal,
        "lines": list(proposal.lines.select_related("product").order_by("position", "pk")),
        "can_change": writable,
        "editable": editable,
        "can_send": writable
        and ready
        and proposal.status in (ProposalStatus.DRAFT, ProposalStatus.SENT),
        "can_accept": writable and ready and ProposalStatus.ACCEPTED in moves,
        "can_reject": writable and ProposalStatus.REJECTED in moves,
        # A draft is simply edited; versions are for what the customer has already seen.
        "can_new_version": writable
        and proposal.status != ProposalStatus.DRAFT
        and ProposalStatus.SUPERSEDED in moves,
        "can_decide": writable
        and proposal.discount_approval == ApprovalStatus.PENDING
        and services.may_approve_discount(user, proposal),
        "add_form": LineAddForm(initial={"revision": proposal.revision, "quantity": 1}),
        "versions": Proposal.objects.filter(number=proposal.number)
        .exclude(pk=proposal.pk)
        .order_by("version")
        .only("pk", "number", "version", "status"),
        "recipients": people,
    }
    if "header_form" not in extra:
        context["header_form"] = ProposalHeaderForm(
            initial=ProposalHeaderForm.initial_for(proposal),
            people=services.recipients(proposal, user)
            + ([proposal.person] if proposal.person else []),
        )
    context.update(extra)
    return context


class ProposalDetailView(ScopedMixin, TemplateView):
    """The card; POST saves the header (a draft only)."""

    model = Proposal
    template_name = "orders/proposal_detail.html"

    def get(self, request, pk):
        proposal = self.get_scoped_object()
        return self.render_to_response(card_context(request, proposal))

    def post(self, request, pk):
        if not scoping.may_write(request.user):
            raise Http404
        proposal = self.get_scoped_object(action=scoping.CHANGE)
        people = services.recipients(proposal, request.user)
        if proposal.person and proposal.person not in people:
            people.append(proposal.person)
        form = ProposalHeaderForm(request.POST, people=people)
        if form.is_valid():
            data = dict(form.cleaned_data)
            revision = data.pop("revision")
            try:
                services.proposal_update(
                    actor=request.user, proposal=proposal, revision=revision, **data
                )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(proposal.get_absolute_url())
        return self.render_to_response(
            card_context(request, proposal, header_form=form), status=422
        )


class LinesMixin(WriterRequiredMixin, ScopedMixin, View):
    """Line writes answer htmx with the lines block (with the error, if any), else redirect."""

    action = scoping.CHANGE

    def respond(self, request, proposal, error: str | None = None, add_form=None):
        if request.htmx:
            extra = {"line_error": error}
            if add_form is not None:
                extra["add_form"] = add_form
            return TemplateResponse(
                request, "orders/proposal_lines.html", card_context(request, proposal, **extra)
            )
        if error:
            messages.error(request, error)
        return redirect(proposal.get_absolute_url())


class ProposalLineAddView(LinesMixin):
    model = Proposal

    def post(self, request, pk):
        proposal = self.get_scoped_object()
        form = LineAddForm(request.POST)
        if not form.is_valid():
            return self.respond(request, proposal, form_errors(form), add_form=form)
        data = dict(form.cleaned_data)
        try:
            services.proposal_line_add(actor=request.user, proposal=proposal, **data)
        except (ValidationError, DomainError) as exc:
            return self.respond(request, proposal, error_message(exc), add_form=form)
        return self.respond(request, proposal)


class ProposalLineUpdateView(LinesMixin):
    model = ProposalLine

    def post(self, request, pk):
        line = self.get_scoped_object()
        form = LineUpdateForm(request.POST)
        if not form.is_valid():
            return self.respond(request, line.proposal, form_errors(form))
        data = dict(form.cleaned_data)
        try:
            services.proposal_line_update(actor=request.user, line=line, **data)
        except (ValidationError, DomainError) as exc:
            return self.respond(request, line.proposal, error_message(exc))
        return self.respond(request, line.proposal)


class ProposalLineDeleteView(LinesMixin):
    model = ProposalLine

    def post(self, request, pk):
        line = self.get_scoped_object()
        form = RevisionForm(request.POST)
        revision = form.cleaned_data["revision"] if form.is_valid() else None
        try:
            services.proposal_line_remove(actor=request.user, line=line, revision=revision)
        except (ValidationError, DomainError) as exc:
            return self.respond(request, line.proposal, error_message(exc))
        return self.respond(request, line.proposal)


class ProposalPdfView(ScopedMixin, View):
    model = Proposal

    def get(self, request, pk):
        proposal = self.get_scoped_object()
        response = HttpResponse(services.proposal_pdf(proposal), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{services.pdf_filename(proposal)}"'
        return response


class ProposalSendView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Proposal
    action = scoping.CHANGE
    template_name = "orders/proposal_send.html"

    def get(self, request, pk):
        proposal = self.get_scoped_object()
        people = services.recipients(proposal, request.user)
        initial = {"revision": proposal.revision, "person": proposal.person_id}
        return self.render_to_response(
            {"proposal": proposal, "form": SendForm(initial=initial, people=people)}
        )

    def post(self, request, pk):
        proposal = self.get_scoped_object()
        form = SendForm(request.POST, people=services.recipients(proposal, request.user))
        if form.is_valid():
            try:
                services.proposal_send(actor=request.user, proposal=proposal, **form.cleaned_data)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("The proposal was sent to %(email)s.")
                    % {"email": form.cleaned_data["person"].email},
                )
                return redirect(proposal.get_absolute_url())
        return self.render_to_response({"proposal": proposal, "form": form}, status=422)


class ProposalActionView(WriterRequiredMixin, ScopedMixin, View):
    """A POST button of the card carrying the revision: accept, reject, new version, decide."""

    model = Proposal
    action = scoping.CHANGE
    form_class = RevisionForm

    def perform(self, proposal, form):
        raise NotImplementedError

    def post(self, request, pk):
        proposal = self.get_scoped_object()
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect(proposal.get_absolute_url())
        try:
            target = self.perform(proposal, form)
        except PermissionDenied:
            raise Http404 from None
        except (ValidationError, DomainError) as exc:
            messages.error(request, error_message(exc))
            return redirect(proposal.get_absolute_url())
        return redirect(target.get_absolute_url())


class ProposalAcceptView(ProposalActionView):
    def perform(self, proposal, form):
        order = services.proposal_accept(
            actor=self.request.user, proposal=proposal, revision=form.cleaned_data["revision"]
        )
        messages.success(
            self.request, _("Accepted. Order %(number)s was created.") % {"number": order}
        )
        return order


class ProposalRejectView(ProposalActionView):
    def perform(self, proposal, form):
        proposal = services.proposal_reject(
            actor=self.request.user, proposal=proposal, revision=form.cleaned_data["revision"]
        )
        messages.success(self.request, _("The proposal is marked as rejected."))
        return proposal


class ProposalNewVersionView(ProposalActionView):
    def perform(self, proposal, form):
        new = services.proposal_new_version(
            actor=self.request.user, proposal=proposal, revision=form.cleaned_data["revision"]
        )
        messages.success(self.request, _("Version %(version)s created.") % {"version": new.version})
        return new


class ProposalDecideDiscountView(ProposalActionView):
    form_class = DecisionForm

    def perform(self, proposal, form):
        approve = form.cleaned_data["decision"] == "approve"
        proposal = services.proposal_decide_discount(
            actor=self.request.user,
            proposal=proposal,
            approve=approve,
            revision=form.cleaned_data["revision"],
        )
        messages.success(
            self.request,
            _("The discount is approved.") if approve else _("The discount is refused."),
        )
        return proposal
