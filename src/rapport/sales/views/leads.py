"""Lead screens: list, queue, card, create/edit, qualify, disqualify, convert, assign, import;
and the administration of web forms and distribution rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.core import scoping
from rapport.core.cards import card_sections
from rapport.core.changelog import history_for
from rapport.core.errors import DomainError
from rapport.core.models import Job
from rapport.core.views import (
    AdministratorRequiredMixin,
    FilteredListMixin,
    RoleRequiredMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)
from rapport.sales.filtersets.leads import LEAD_SORTS, LeadFilterSet
from rapport.sales.forms.leads import (
    AssignForm,
    ConvertForm,
    DisqualifyForm,
    DistributionRuleForm,
    LeadForm,
    LeadImportForm,
    WebFormAdminForm,
)
from rapport.sales.models import DistributionRule, Lead, LeadWebForm
from rapport.sales.services.distribution import (
    distribution_rule_delete,
    distribution_rule_save,
    web_form_delete,
    web_form_save,
)
from rapport.sales.services.lead_imports import JOB_KIND as LEAD_IMPORT_JOB
from rapport.sales.services.lead_imports import lead_import_start
from rapport.sales.services.leads import (
    OPEN_STATUSES,
    DuplicatesFound,
    conversion_matches,
    lead_assign,
    lead_convert,
    lead_create,
    lead_delete,
    lead_disqualify,
    lead_qualify,
    lead_start_work,
    lead_update,
    may_assign,
)

SHOWN_ERRORS = 500  # rows with errors listed on the import's page (all are in the API's report)

LIST_COLUMNS = [
    ("created_at", "Received"),
    ("last_name", "Name"),
    ("company_name", "Company"),
    ("email", "Contact"),
    ("source", "Source"),
    ("campaign", "Campaign"),
    ("status", "Status"),
]


class LeadListView(FilteredListMixin, TemplateView):
    model = Lead
    filterset_class = LeadFilterSet
    sort_fields = LEAD_SORTS
    default_sort = "-created_at"
    template_name = "sales/lead_list.html"
    queue = False

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).select_related("owner", "team")

    def get_context_data(self, **kwargs):
        page = self.page()
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "filter": self.filterset,
            "page": page,
            "leads": list(page.object_list),
            "sort": self.sort_key(),
            "query_without_page": self.query_without("page"),
            "query_without_sort": self.query_without("sort", "page"),
            "can_write": scoping.may_write(user),
            "can_assign": may_assign(user),
            "queue": self.queue,
        }


class LeadQueueView(RoleRequiredMixin, LeadListView):
    """Leads nobody owns yet, for the heads (their department) and directors (everything)."""

    queue = True

    def has_role(self, user) -> bool:
        return user.is_head_of_department or user.sees_everything

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).filter(owner__isnull=True, status__in=OPEN_STATUSES)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assign_form"] = AssignForm(actor=self.request.user, auto_id=False)
        return context


class LeadDetailView(ScopedMixin, TemplateView):
    model = Lead
    template_name = "sales/lead_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        lead = self.get_scoped_object()
        lead = (
            Lead.objects.select_related(
                "owner", "team", "territory", "web_form", "company", "person"
            )
            .filter(pk=lead.pk)
            .get()
        )
        history = list(history_for([lead])[:200])
        assignments = [
            c
            for c in history
            if (c.before or {}).get("owner") != (c.after or {}).get("owner")
            and (c.after or {}).get("owner")
        ]
        can_change = (
            scoping.may_write(user)
            and Lead.objects.restrict(user, scoping.CHANGE).filter(pk=lead.pk).exists()
        )
        deal = getattr(lead, "deal", None) if lead.status == "converted" else None
        return {
            **super().get_context_data(**kwargs),
            "lead": lead,
            "deal": deal,
            "history": history,
            "assignments": assignments,
            "can_change": can_change,
            "can_assign": can_change and may_assign(user),
            "is_open": lead.status in OPEN_STATUSES,
            "disqualify_form": DisqualifyForm(),
            "assign_form": AssignForm(actor=user) if may_assign(user) else None,
            "card_sections": card_sections(self.request, lead, can_change=can_change),
        }


class LeadFormView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Lead
    action = scoping.CHANGE
    template_name = "sales/lead_form.html"

    def get_instance(self):
        return self.get_scoped_object() if "pk" in self.kwargs else Lead()

    def get(self, request, *args, **kwargs):
        lead = self.get_instance()
        initial = {} if lead.pk else {"owner": request.user.pk, "source": "manual"}
        form = LeadForm(instance=lead, initial=initial)
        return self.render_to_response({"form": form, "lead": lead})

    def post(self, request, *args, **kwargs):
        lead = self.get_instance()
        form = LeadForm(request.POST, instance=lead)
        if form.is_valid():
            try:
                if lead.pk:
                    lead = lead_update(actor=request.user, lead=lead, **form.service_kwargs())
                else:
                    lead = lead_create(actor=request.user, **form.service_kwargs())
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                if Lead.objects.restrict(request.user).filter(pk=lead.pk).exists():
                    return redirect(lead.get_absolute_url())
                messages.info(request, _("The distribution rules gave the lead to another team."))
                return redirect("sales:lead_list")
        return self.render_to_response({"form": form, "lead": lead}, status=422)


class LeadActionMixin(WriterRequiredMixin, ScopedMixin):
    model = Lead
    action = scoping.CHANGE

    def done(self, lead, message):
        messages.success(self.request, message)
        return redirect(lead.get_absolute_url())

    def failed(self, lead, exc):
        if isinstance(exc, ValidationError):
            text = " ".join(exc.messages)
        else:
            text = str(exc.message)
        messages.error(self.request, text)
        return redirect(lead.get_absolute_url())


class LeadStatusView(LeadActionMixin, View):
    """Take in work or qualify (a button on the card)."""

    def post(self, request, pk):
        lead = self.get_scoped_object()
        step = request.POST.get("step")
        try:
            if step == "qualify":
                lead = lead_qualify(actor=request.user, lead=lead)
                return self.done(lead, _("The lead is qualified."))
            lead = lead_start_work(actor=request.user, lead=lead)
        except (ValidationError, DomainError) as exc:
            return self.failed(lead, exc)
        return self.done(lead, _("The lead is in work."))


class LeadDisqualifyView(LeadActionMixin, TemplateView):
    template_name = "sales/lead_disqualify.html"

    def get(self, request, pk):
        return self.render_to_response({"lead": self.get_scoped_object(), "form": DisqualifyForm()})

    def post(self, request, pk):
        lead = self.get_scoped_object()
        form = DisqualifyForm(request.POST)
        if form.is_valid():
            try:
                lead = lead_disqualify(
                    actor=request.user,
                    lead=lead,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                return self.done(lead, _("The lead is disqualified."))
        return self.render_to_response({"lead": lead, "form": form}, status=422)


class LeadConvertView(LeadActionMixin, TemplateView):
    template_name = "sales/lead_convert.html"

    def context(self, lead, form, duplicates=None):
        if duplicates is None:
            duplicates = conversion_matches(lead, self.request.user)
            duplicates = {
                "companies": duplicates.companies,
                "people": duplicates.people,
                "blocking": False,
            }
        return {"lead": lead, "form": form, "duplicates": duplicates}

    def get(self, request, pk):
        lead = self.get_scoped_object()
        if lead.status == "converted":
            messages.error(request, _("This lead is already converted."))
            return redirect(lead.get_absolute_url())
        form = ConvertForm(user=request.user, initial={"deal_name": lead.company_name or str(lead)})
        return self.render_to_response(self.context(lead, form))

    def post(self, request, pk):
        lead = self.get_scoped_object()
        data = request.POST.copy()
        # "Link" buttons beside the matches found: the chosen record goes into the form.
        for name in ("company", "person"):
            if request.POST.get(f"link_{name}"):
                data[name] = request.POST[f"link_{name}"]
        form = ConvertForm(data, user=request.user)
        duplicates = None
        if form.is_valid():
            cd = form.cleaned_data
            try:
                lead, deal = lead_convert(
                    actor=request.user,
                    lead=lead,
                    pipeline=cd["pipeline"],
                    stage=cd["stage"],
                    amount=cd["amount"],
                    deal_name=cd["deal_name"],
                    expected_close_date=cd["expected_close_date"],
                    company=cd["company"],
                    person=cd["person"],
                    confirm_new=cd["confirm_new"],
                )
            except DuplicatesFound as exc:
                duplicates = {
                    "companies": exc.companies,
                    "people": exc.people,
                    "blocking": exc.blocking,
                }
                form.add_error(None, str(exc.message))
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("The lead is converted into a deal."))
                return redirect(deal.get_absolute_url())
        return self.render_to_response(self.context(lead, form, duplicates), status=422)


class LeadAssignView(LeadActionMixin, TemplateView):
    template_name = "sales/lead_assign.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_assign(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        lead = self.get_scoped_object()
        return self.render_to_response({"lead": lead, "form": AssignForm(actor=request.user)})

    def post(self, request, pk):
        lead = self.get_scoped_object()
        form = AssignForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                lead = lead_assign(actor=request.user, lead=lead, user=form.cleaned_data["user"])
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("The lead is assigned to %(user)s.") % {"user": form.cleaned_data["user"]},
                )
                back = request.POST.get("next", "")
                if back == "queue":
                    return redirect("sales:lead_queue")
                return redirect(lead.get_absolute_url())
        return self.render_to_response({"lead": lead, "form": form}, status=422)


class LeadDeleteView(LeadActionMixin, TemplateView):
    template_name = "sales/lead_confirm_delete.html"

    def get(self, request, pk):
        return self.render_to_response({"lead": self.get_scoped_object()})

    def post(self, request, pk):
        lead = self.get_scoped_object()
        lead_delete(actor=request.user, lead=lead)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": lead})
        return redirect("sales:lead_list")


# Import of a file of leads: checked at the upload, written by a background job ----------------
class LeadImportView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Lead
    template_name = "sales/lead_import.html"

    def get(self, request):
        return self.render_to_response({"form": LeadImportForm()})

    def post(self, request):
        form = LeadImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = lead_import_start(
                    actor=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    content_type=upload.content_type,
                    campaign=form.cleaned_data["campaign"],
                )
            except ValidationError as exc:
                domain_error_to_form(form, exc)
            else:
                return redirect("sales:lead_import_job", pk=job.pk)
        return self.render_to_response({"form": form}, status=422)


class LeadImportJobView(ScopedMixin, TemplateView):
    """Progress and report of a lead import (the job's owner, and whoever sees their jobs)."""

    model = Job

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).filter(kind=LEAD_IMPORT_JOB)

    def get_template_names(self):
        if self.request.htmx and self.request.GET.get("part") == "progress":
            return ["sales/lead_import_progress.html"]
        return ["sales/lead_import_job.html"]

    def get_context_data(self, **kwargs):
        job = self.get_scoped_object()
        errors = (job.result or {}).get("errors") or []
        return {
            **super().get_context_data(**kwargs),
            "job": job,
            "errors": errors[:SHOWN_ERRORS],
            "more_errors": max(0, len(errors) - SHOWN_ERRORS),
        }


# Administration of the intake ----------------------------------------------------------------
class IntakeAdminView(AdministratorRequiredMixin, TemplateView):
    """A list of records and a form (new, or the record being edited) on one page."""

    model = None
    form_class = None
    list_url = ""
    save = None
    delete = None

    def instance(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return self.model()
        obj = self.model.objects.filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def context(self, form):
        return {"form": form, "objects": self.objects(), "editing": self.kwargs.get("pk")}

    def objects(self):
        return self.model.objects.all()

    def get(self, request, pk=None):
        return self.render_to_response(self.context(self.form_class(instance=self.instance())))

    def post(self, request, pk=None):
        instance = self.instance()
        if pk is not None and "delete" in request.POST:
            type(self).delete(actor=request.user, obj=instance)
            messages.success(request, _("Deleted."))
            return redirect(self.list_url)
        form = self.form_class(request.POST, instance=instance)
        if form.is_valid():
            try:
                type(self).save(actor=request.user, obj=form.save(commit=False))
            except ValidationError as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.list_url)
        return self.render_to_response(self.context(form), status=422)


def _save_web_form(*, actor, obj):
    return web_form_save(actor=actor, form=obj)


def _delete_web_form(*, actor, obj):
    web_form_delete(actor=actor, form=obj)


def _save_rule(*, actor, obj):
    return distribution_rule_save(actor=actor, rule=obj)


def _delete_rule(*, actor, obj):
    distribution_rule_delete(actor=actor, rule=obj)


def embed_snippet(form: LeadWebForm) -> str:
    """HTML a site pastes into its page: an iframe that passes the page's UTM parameters on."""
    url = settings.SITE_URL.rstrip("/") + reverse("sales:webform", args=[form.key])
    box = f"rapport-form-{form.key}"
    return (
        f'<div id="{box}"></div>\n<script>(function () {{\n'
        f'  var f = document.createElement("iframe");\n'
        f'  f.src = "{url}" + window.location.search;\n'
        f'  f.style.cssText = "width:100%;min-height:640px;border:0";\n'
        f'  f.title = "{form.name.replace(chr(34), "")}";\n'
        f'  document.getElementById("{box}").appendChild(f);\n'
        f"}})();</script>"
    )


class WebFormAdminView(IntakeAdminView):
    template_name = "sales/webform_admin.html"
    model = LeadWebForm
    form_class = WebFormAdminForm
    list_url = "sales:webform_admin"
    save = staticmethod(_save_web_form)
    delete = staticmethod(_delete_web_form)

    def objects(self):
        return [(f, embed_snippet(f)) for f in LeadWebForm.objects.select_related("team")]


class DistributionRuleAdminView(IntakeAdminView):
    template_name = "sales/distribution_rules.html"
    model = DistributionRule
    form_class = DistributionRuleForm
    list_url = "sales:distribution_rules"
    save = staticmethod(_save_rule)
    delete = staticmethod(_delete_rule)

    def objects(self):
        return DistributionRule.objects.select_related(
            "team", "user", "territory", "web_form", "last_assigned"
        )
