"""User management (administrators), the profile page and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.accounts.forms import ProfileForm, TokenForm, UserForm, UserOptions
from rapport.accounts.models import ApiToken, User
from rapport.accounts.services import (
    profile_update,
    token_create,
    token_revoke,
    user_create,
    user_update,
)
from rapport.core import scoping
from rapport.core.views import AdministratorRequiredMixin, domain_error_to_form


class UserListView(AdministratorRequiredMixin, TemplateView):
    template_name = "accounts/user_list.html"

    def get_context_data(self, **kwargs):
        users = User.objects.select_related("team", "department").order_by(
            "-is_active", "last_name", "first_name"
        )
        return {**super().get_context_data(**kwargs), "users": users}


class UserFormView(AdministratorRequiredMixin, TemplateView):
    template_name = "accounts/user_form.html"

    def instance(self):
        if "pk" not in self.kwargs:
            return User()
        user = User.objects.filter(pk=self.kwargs["pk"]).first()
        if user is None:
            raise Http404
        return user

    def get(self, request, pk=None):
        user = self.instance()
        return self.render_to_response({"form": UserForm(instance=user), "object": user})

    def post(self, request, pk=None):
        user = self.instance()
        form = UserForm(request.POST, instance=user)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
            try:
                if user.pk:
                    saved = user_update(actor=request.user, user=user, **data)
                    if form.cleaned_data.get("password"):
                        saved.set_password(form.cleaned_data["password"])
                        saved.save(update_fields=["password"])
                else:
                    saved = user_create(
                        actor=request.user, password=form.cleaned_data["password"], **data
                    )
            except ValidationError as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:user_list")
        return self.render_to_response({"form": form, "object": user}, status=422)


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def context(self, form=None, token_form=None, new_token=None):
        return {
            "form": form or ProfileForm(instance=self.request.user),
            "token_form": token_form or TokenForm(),
            "tokens": ApiToken.objects.filter(user=self.request.user),
            "new_token": new_token,
        }

    def get(self, request):
        return self.render_to_response(self.context())

    def post(self, request):
        form = ProfileForm(request.POST, instance=User.objects.get(pk=request.user.pk))
        if form.is_valid():
            profile_update(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("accounts:profile")
        return self.render_to_response(self.context(form=form), status=422)


class TokenCreateView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, raw = token_create(actor=request.user, name=form.cleaned_data["name"])
            except ValidationError as exc:
                domain_error_to_form(form, exc)
            else:
                view = ProfileView(request=request)
                return view.render_to_response(view.context(new_token=raw))
        view = ProfileView(request=request)
        return view.render_to_response(view.context(token_form=form), status=422)


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = ApiToken.objects.filter(pk=pk, user=request.user).first()
        if token is None:
            raise Http404
        token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token was revoked."))
        return redirect("accounts:profile")


class SetLanguageView(LoginRequiredMixin, View):
    """Switch the interface language and remember it in the user's profile."""

    def post(self, request):
        from django.conf import settings
        from django.utils.http import url_has_allowed_host_and_scheme

        language = request.POST.get("language", "")
        if language in dict(settings.LANGUAGES):
            profile_update(actor=request.user, language=language)
        target = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = "/"
        response = redirect(target)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response


class UserAutocompleteView(LoginRequiredMixin, View):
    """Active users as JSON options for the curator selects, loaded as the user opens or types:
    a page then carries the chosen user only, not an option for everyone in the company."""

    def get(self, request):
        qs = scoping.restrict(User.objects.filter(is_active=True), request.user)
        for word in request.GET.get("q", "").split()[:4]:
            qs = qs.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
            )
        rows = qs.order_by("last_name", "first_name", "pk").values_list(*UserOptions.option_fields)
        items = [{"value": row[0], "text": UserOptions.label_from_values(row)} for row in rows[:20]]
        return JsonResponse({"results": items})
