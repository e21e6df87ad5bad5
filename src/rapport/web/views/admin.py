"""Administration screens: change log, outbox, site settings, custom fields."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from rapport.accounts.choices import Role
from rapport.accounts.models import User
from rapport.core.configuration import (
    custom_field_delete,
    custom_field_save,
    site_configuration_update,
)
from rapport.core.models import (
    ChangeRecord,
    CustomFieldDefinition,
    OutboxAttachment,
    OutboxMessage,
    SiteConfiguration,
)
from rapport.core.views import AdministratorRequiredMixin, RoleRequiredMixin, domain_error_to_form


class ChangeLogView(RoleRequiredMixin, TemplateView):
    """The whole change log, for administrators, directors and auditors."""

    template_name = "web/changelog.html"

    def has_role(self, user) -> bool:
        return user.can_read_change_log

    def get_context_data(self, **kwargs):
        qs = ChangeRecord.objects.select_related("actor", "content_type")
        actor = self.request.GET.get("actor")
        if actor and actor.isdigit():
            qs = qs.filter(actor_id=int(actor))
        action = self.request.GET.get("action")
        if action:
            qs = qs.filter(action=action)
        page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(
            self.request.GET.get("page")
        )
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "users": User.objects.order_by("last_name", "first_name"),
            "actions": ChangeRecord._meta.get_field("action").choices,
        }


class OutboxView(AdministratorRequiredMixin, TemplateView):
    template_name = "web/outbox.html"

    def get_context_data(self, **kwargs):
        # Names and sizes only: the attachments' bytes stay in the database.
        outbox = OutboxMessage.objects.prefetch_related(
            Prefetch("attachments", queryset=OutboxAttachment.objects.defer("content"))
        )
        page = Paginator(outbox, 50).get_page(self.request.GET.get("page"))
        selected = None
        if self.request.GET.get("message", "").isdigit():
            selected = outbox.filter(pk=self.request.GET["message"]).first()
        return {**super().get_context_data(**kwargs), "page": page, "selected": selected}


class SiteSettingsForm(forms.ModelForm):
    two_factor_roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles that must use two-factor authentication"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SiteConfiguration
        fields = ["stale_after_days", "two_factor_roles"]
        widgets = {"stale_after_days": forms.NumberInput(attrs={"min": 1, "max": 3650})}

    def clean_stale_after_days(self):
        value = self.cleaned_data["stale_after_days"]
        if not 1 <= value <= 3650:
            raise forms.ValidationError(_("Choose between 1 and 3650 days."))
        return value


class SiteSettingsView(AdministratorRequiredMixin, TemplateView):
    template_name = "web/site_settings.html"

    def get(self, request):
        return self.render_to_response({"form": SiteSettingsForm(instance=SiteConfiguration.get())})

    def post(self, request):
        # A fresh row, not the shared memo of SiteConfiguration.get(): the form writes into its
        # instance while validating, and a rejected form must not change what the site enforces.
        current = SiteConfiguration.objects.get_or_create(pk=1)[0]
        form = SiteSettingsForm(request.POST, instance=current)
        if form.is_valid():
            site_configuration_update(
                actor=request.user,
                **{k: form.cleaned_data[k] for k in ("stale_after_days", "two_factor_roles")},
            )
            messages.success(request, _("Saved."))
            return redirect("web:site_settings")
        return self.render_to_response({"form": form}, status=422)


class CustomFieldForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For a choice field: one choice per line."),
    )

    class Meta:
        model = CustomFieldDefinition
        fields = ["target", "label", "key", "field_type", "is_required", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(self.instance.choices or [])


class CustomFieldsView(AdministratorRequiredMixin, TemplateView):
    template_name = "web/custom_fields.html"

    def instance(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return CustomFieldDefinition()
        obj = CustomFieldDefinition.objects.filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def context(self, form):
        return {
            "form": form,
            "definitions": CustomFieldDefinition.objects.all(),
            "editing": self.kwargs.get("pk"),
        }

    def get(self, request, pk=None):
        return self.render_to_response(self.context(CustomFieldForm(instance=self.instance())))

    def post(self, request, pk=None):
        instance = self.instance()
        if pk is not None and "delete" in request.POST:
            custom_field_delete(actor=request.user, definition=instance)
            messages.success(request, _("Deleted."))
            return redirect("web:custom_fields")
        form = CustomFieldForm(request.POST, instance=instance)
        if form.is_valid():
            definition = form.save(commit=False)
            definition.choices = form.cleaned_data["choices_text"].splitlines()
            try:
                custom_field_save(actor=request.user, definition=definition)
            except ValidationError as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("web:custom_fields")
        return self.render_to_response(self.context(form), status=422)
