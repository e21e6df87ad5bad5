"""The public lead form (/f/<key>/): no login, embeddable, protected against robots and floods."""

from __future__ import annotations

import time

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View

from rapport.core.client_address import client_address
from rapport.core.errors import DomainError
from rapport.sales.forms.leads import PublicLeadForm
from rapport.sales.models import LeadWebForm
from rapport.sales.services.leads import UTM_FIELDS, lead_submit_web_form

TOKEN_SALT = "rapport.sales.webform"
MIN_SECONDS = 2  # a person needs longer than this to fill in a form
MAX_AGE = 24 * 3600  # a page left open longer is reloaded before sending
RATE_LIMIT = 10  # submissions per address (behind trusted proxies, the visitor's) and form ...
RATE_WINDOW = 600  # ... per this many seconds


def issue_token(form: LeadWebForm, now: float | None = None) -> str:
    stamp = now if now is not None else time.time()
    return signing.dumps({"k": form.key, "t": stamp}, salt=TOKEN_SALT)


def check_token(form: LeadWebForm, token: str, now: float | None = None) -> str | None:
    """None if the token is good, else what to tell the visitor."""
    now = now if now is not None else time.time()
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return _("The form has expired. Reload the page and send it again.")
    except signing.BadSignature:
        return _("The form could not be checked. Reload the page and send it again.")
    if not isinstance(data, dict) or data.get("k") != form.key:
        return _("The form could not be checked. Reload the page and send it again.")
    age = now - float(data.get("t", 0))
    if age > MAX_AGE:
        return _("The form has expired. Reload the page and send it again.")
    if age < MIN_SECONDS:
        return _("The form was sent too fast. Please wait a moment and send it again.")
    return None


def over_rate_limit(form: LeadWebForm, address: str) -> bool:
    """Count this submission; True once the address sent more than the limit in the window."""
    key = f"sales:webform:{form.pk}:{address}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


def _utm_from(request) -> dict:
    return {
        name: (request.POST.get(name) or request.GET.get(name) or "")[:100] for name in UTM_FIELDS
    }


@csrf_exempt  # embedded on other sites, where our CSRF cookie is not sent: the signed token is
# the form's proof that it came from our page.
def public_form_view(request, key):
    return _PublicFormView.as_view()(request, key=key)


class _PublicFormView(View):
    http_method_names = ["get", "post"]

    def get_form_object(self, key) -> LeadWebForm:
        form = LeadWebForm.objects.filter(key=key, is_active=True).select_related("team").first()
        if form is None:
            raise Http404
        return form

    def render(self, web_form, form, *, status=200, sent=False, error=""):
        response = render(
            self.request,
            "sales/webform_public.html",
            {
                "web_form": web_form,
                "form": form,
                "sent": sent,
                "error": error,
                "visible_fields": [form[name] for name in PublicLeadForm.VISIBLE],
            },
            status=status,
        )
        response.xframe_options_exempt = True
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request, key):
        web_form = self.get_form_object(key)
        form = PublicLeadForm(initial={"token": issue_token(web_form), **_utm_from(request)})
        return self.render(web_form, form)

    def post(self, request, key):
        web_form = self.get_form_object(key)
        form = PublicLeadForm(request.POST)
        retry = request.POST.copy()
        retry["token"] = issue_token(web_form)  # a new token for the visitor's next try
        fresh = PublicLeadForm(retry)
        fresh.is_valid()  # the same errors as ``form``, shown beside the fields
        if over_rate_limit(web_form, client_address(request)):
            return self.render(
                web_form,
                fresh,
                status=429,
                error=_("Too many submissions from your address. Please try again later."),
            )
        if not form.is_valid():
            return self.render(web_form, fresh, status=422)
        data = form.cleaned_data
        if data["url"]:
            # A robot filled the hidden field: answer as if all went well, keep nothing.
            return self.render(web_form, PublicLeadForm(), sent=True)
        problem = check_token(web_form, data["token"])
        if problem:
            return self.render(web_form, fresh, status=400, error=problem)
        fields = {name: data[name] for name in PublicLeadForm.VISIBLE}
        fields.update(_utm_from(request))
        try:
            lead_submit_web_form(
                form=web_form, data=fields, language=translation.get_language() or ""
            )
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    target = name if name in PublicLeadForm.VISIBLE else None
                    for error in errors:
                        fresh.add_error(target, error)
            else:
                fresh.add_error(None, getattr(exc, "message", None) or " ".join(exc.messages))
            return self.render(web_form, fresh, status=422)
        return self.render(web_form, PublicLeadForm(), sent=True)
