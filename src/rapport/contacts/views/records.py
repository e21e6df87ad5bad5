"""Views shared by companies and people: list, card, create, edit, delete, merge, bulk, verify."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View

from rapport.activities.rendering import render_timeline
from rapport.activities.selectors.timeline import related_records, timeline
from rapport.contacts import dedupe
from rapport.contacts.forms import BulkActionForm, MergeForm
from rapport.contacts.services import bulk_add_tag, bulk_assign_curator, record_verified
from rapport.contacts.tables import ListTable
from rapport.core import scoping
from rapport.core.cards import card_sections
from rapport.core.changelog import history_for
from rapport.core.custom_fields import definitions_for
from rapport.core.errors import DomainError
from rapport.core.models import SavedFilter
from rapport.core.search import search_sorted
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)


class RecordConfig:
    """What differs between the company and the person screens."""

    model = None
    noun = ""  # "company" / "person": URL names and templates
    custom_target = ""

    def url(self, name: str, *args) -> str:
        return reverse(f"contacts:{self.noun}_{name}", args=args)


class RecordListView(RecordConfig, FilteredListMixin, TemplateView):
    table: ListTable = None

    @property
    def sort_fields(self):
        return self.table.sorts

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "record-list":
            return ["contacts/_rows.html"]
        return [f"contacts/{self.noun}_list.html"]

    def get_context_data(self, **kwargs):
        page = self.page()
        definitions = definitions_for(self.custom_target, for_display=True)
        can_write = scoping.may_write(self.request.user)
        rows = self.table.rows(page.object_list, with_custom=bool(definitions))
        return {
            **super().get_context_data(**kwargs),
            "filter": self.filterset,
            "page": page,
            "columns": self.table.columns,
            "rows_html": self.table.render_rows(rows, can_write=can_write, definitions=definitions),
            "custom_definitions": definitions,
            "sort": self.sort_key(),
            "query_without_page": self.query_without("page"),
            "query_without_sort": self.query_without("sort", "page"),
            "query": self.query_without(),
            "saved_filters": SavedFilter.objects.restrict(self.request.user).filter(
                list_name=self.noun
            ),
            "bulk_form": BulkActionForm(auto_id="bulk_%s"),
            "can_write": can_write,
        }


class RecordDetailView(RecordConfig, ScopedMixin, TemplateView):
    related_on_card = ("curator", "team")

    def scoped_queryset(self, action=None):
        # The card shows the curator and the team: read them with the record.
        return super().scoped_queryset(action).select_related(*self.related_on_card)

    def get_template_names(self):
        return [f"contacts/{self.noun}_detail.html"]

    def get_context_data(self, **kwargs):
        obj = self.get_scoped_object()
        # The companies and people the user may see around this record: the timeline's
        # subjects, and the company card's list of people.
        related = related_records(obj, self.request.user)
        entries, cursor = timeline(obj, user=self.request.user, related=related)
        can_change = (
            obj.__class__.objects.restrict(self.request.user, scoping.CHANGE)
            .filter(pk=obj.pk)
            .exists()
        )
        return {
            **super().get_context_data(**kwargs),
            "object": obj,
            "related_ids": related,
            "timeline_html": render_timeline(
                entries, record=obj, cursor=cursor, timeline_url=self.url("timeline", obj.pk)
            ),
            "can_change": can_change,
            "card_sections": card_sections(self.request, obj, can_change=can_change),
            "custom_values": [
                (d.label, obj.custom.get(d.key))
                for d in definitions_for(self.custom_target, for_display=True)
                if d.key in (obj.custom or {})
            ],
        }


class RecordTimelineView(RecordConfig, ScopedMixin, View):
    def get(self, request, pk):
        obj = self.get_scoped_object()
        before = parse_datetime(request.GET.get("before", "") or "")
        if before is None:
            raise Http404
        entries, cursor = timeline(obj, user=request.user, before=before)
        return HttpResponse(
            render_timeline(
                entries, record=obj, cursor=cursor, timeline_url=self.url("timeline", obj.pk)
            )
        )


class RecordHistoryView(RecordConfig, ScopedMixin, TemplateView):
    template_name = "contacts/history.html"

    def get_context_data(self, **kwargs):
        obj = self.get_scoped_object()
        return {
            **super().get_context_data(**kwargs),
            "object": obj,
            "records": history_for([obj])[:500],
        }


class RecordFormView(RecordConfig, WriterRequiredMixin, ScopedMixin, TemplateView):
    """Create (no pk) or edit (pk) a record through its service."""

    form_class = None
    action = scoping.CHANGE

    def get_template_names(self):
        return [f"contacts/{self.noun}_form.html"]

    def get_instance(self):
        return self.get_scoped_object() if "pk" in self.kwargs else self.model()

    def get_form(self, instance, data=None):
        initial = {}
        if not instance.pk:
            initial["curator"] = (
                self.request.user.pk if not self.request.user.sees_everything else None
            )
            initial["team"] = self.request.user.team_id
            if "company" in self.request.GET:
                initial["company"] = self.request.GET.get("company")
        return self.form_class(data, instance=instance, user=self.request.user, initial=initial)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_to_response({"form": self.get_form(instance), "object": instance})

    def find_duplicates(self, form) -> list[dict]:
        raise NotImplementedError

    def create(self, form):
        raise NotImplementedError

    def update(self, instance, form):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(instance, request.POST)
        duplicates = []
        if form.is_valid():
            if not instance.pk and not form.cleaned_data.get("confirm_duplicate"):
                duplicates = self.find_duplicates(form)
            if not duplicates:
                try:
                    obj = self.update(instance, form) if instance.pk else self.create(form)
                except (ValidationError, DomainError) as exc:
                    domain_error_to_form(form, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect(obj.get_absolute_url())
        status = 200 if duplicates else 422
        return self.render_to_response(
            {"form": form, "object": instance, "duplicates": duplicates}, status=status
        )


class RecordDuplicatesView(RecordConfig, WriterRequiredMixin, ScopedMixin, View):
    """Live check while the user types (htmx): likely duplicates, disclosed by scope."""

    def probe(self, data) -> dedupe.Probe:
        raise NotImplementedError

    def get(self, request):
        probe = self.probe(request.GET)
        duplicates = []
        if len(probe.key) >= 3 or probe.emails or probe.phones or probe.tax_number:
            matcher = dedupe.company_matches if self.noun == "company" else dedupe.person_matches
            duplicates = dedupe.disclose(self.model, matcher([probe])[0], request.user)
        return render(request, "contacts/duplicates.html", {"duplicates": duplicates})


class RecordDeleteView(RecordConfig, WriterRequiredMixin, ScopedMixin, TemplateView):
    template_name = "contacts/confirm_delete.html"
    action = scoping.CHANGE

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.get_scoped_object()}

    def delete(self, obj):
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.get_scoped_object()
        try:
            self.delete(obj)
        except DomainError as exc:  # e.g. the record has deals or documents
            messages.error(request, exc.message)
            return redirect(obj.get_absolute_url())
        messages.success(request, _("Deleted “%(name)s”.") % {"name": obj})
        return redirect(self.url("list"))


class RecordVerifyView(RecordConfig, WriterRequiredMixin, ScopedMixin, View):
    action = scoping.CHANGE

    def post(self, request, pk):
        obj = self.get_scoped_object()
        record_verified(actor=request.user, obj=obj)
        messages.success(request, _("Marked as verified today."))
        return redirect(obj.get_absolute_url())


class RecordMergeView(RecordConfig, WriterRequiredMixin, ScopedMixin, TemplateView):
    template_name = "contacts/merge.html"
    action = scoping.CHANGE

    def merge(self, target, source):
        raise NotImplementedError

    def form(self, obj, data=None):
        return MergeForm(
            data,
            queryset=self.scoped_queryset(scoping.CHANGE).exclude(pk=obj.pk),
            autocomplete_url=self.url("autocomplete"),
            initial={"other": self.request.GET.get("other")},
        )

    def get(self, request, pk):
        obj = self.get_scoped_object()
        return self.render_to_response({"object": obj, "form": self.form(obj)})

    def post(self, request, pk):
        obj = self.get_scoped_object()
        form = self.form(obj, request.POST)
        if form.is_valid():
            try:
                merged = self.merge(obj, form.cleaned_data["other"])
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("The records were merged."))
                return redirect(merged.get_absolute_url())
        return self.render_to_response({"object": obj, "form": form}, status=422)


class RecordAutocompleteView(RecordConfig, ScopedMixin, View):
    """JSON options for the autocomplete widgets, searched within the user's scope."""

    def get(self, request):
        qs = search_sorted(
            self.scoped_queryset(), request.GET.get("q", ""), tuple(self.model._meta.ordering)
        )
        items = [{"value": o.pk, "text": str(o)} for o in qs[:20]]
        return JsonResponse({"results": items})


class RecordBulkView(RecordConfig, WriterRequiredMixin, FilteredListMixin, View):
    action = scoping.CHANGE

    def post(self, request):
        form = BulkActionForm(request.POST)
        if not form.is_valid():
            for error in form.errors.values():
                messages.error(request, " ".join(error))
            return redirect(self.url("list"))
        data = form.cleaned_data
        if data.get("select_all"):
            ids = list(self.filterset.qs.values_list("pk", flat=True)[:10000])
        else:
            ids = data["id_list"]
        try:
            if data["action"] == "assign_curator":
                count = bulk_assign_curator(
                    actor=request.user, model=self.model, ids=ids, curator=data["curator"]
                )
            else:
                count = bulk_add_tag(
                    actor=request.user, model=self.model, ids=ids, tag_name=data["tag"]
                )
        except (ValidationError, DomainError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                ngettext("%(count)d record updated.", "%(count)d records updated.", count)
                % {"count": count},
            )
        back = request.POST.get("next", "")
        return redirect(self.url("list") + ("?" + back if back else ""))


class SavedFilterCreateView(RecordConfig, ScopedMixin, View):
    def post(self, request):
        from rapport.core.saved_filters import saved_filter_create

        try:
            saved_filter_create(
                actor=request.user,
                list_name=self.noun,
                name=request.POST.get("name", ""),
                query=request.POST.get("query", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Filter saved."))
        return redirect(self.url("list") + "?" + request.POST.get("query", ""))
