"""Administration of outbound webhooks and their delivery record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from rapport.core.forms import split_lines
from rapport.core.views import AdministratorRequiredMixin, domain_error_to_form
from rapport.integrations.forms import WebhookForm
from rapport.integrations.models import Webhook
from rapport.integrations.services import webhook_delete, webhook_save


class WebhookListView(AdministratorRequiredMixin, TemplateView):
    template_name = "integrations/webhook_list.html"

    def get_context_data(self, **kwargs):
        hooks = Webhook.objects.restrict(self.request.user)
        return {**super().get_context_data(**kwargs), "webhooks": hooks}


class WebhookFormView(AdministratorRequiredMixin, TemplateView):
    template_name = "integrations/webhook_form.html"

    def instance(self) -> Webhook:
        if "pk" not in self.kwargs:
            return Webhook()
        hook = Webhook.objects.restrict(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if hook is None:
            raise Http404
        return hook

    def context(self, form, hook):
        deliveries = hook.deliveries.all()[:50] if hook.pk else []
        return {"form": form, "object": hook, "deliveries": deliveries}

    def get(self, request, pk=None):
        hook = self.instance()
        return self.render_to_response(self.context(WebhookForm(instance=hook), hook))

    def post(self, request, pk=None):
        hook = self.instance()
        if hook.pk and "delete" in request.POST:
            webhook_delete(actor=request.user, webhook=hook)
            messages.success(request, _("Deleted."))
            return redirect("integrations:webhook_list")
        form = WebhookForm(request.POST, instance=hook)
        if form.is_valid():
            webhook = form.save(commit=False)
            webhook.events = split_lines(form.cleaned_data["events_text"])
            try:
                webhook_save(actor=request.user, webhook=webhook)
            except ValidationError as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("integrations:webhook_update", pk=webhook.pk)
        return self.render_to_response(self.context(form, hook), status=422)
