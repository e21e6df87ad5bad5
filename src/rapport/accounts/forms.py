"""Forms for users (administrators) and the user's own profile."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import User
from rapport.core.forms import AutocompleteSelect, ValuesChoiceIterator


class UserOptions:
    """A choice of users whose options are read as values (see ValuesChoiceIterator)."""

    iterator = ValuesChoiceIterator
    option_fields = ("pk", "first_name", "last_name", "username")

    @staticmethod
    def label_from_values(row) -> str:
        return User.label_for(*row[1:])


class UserChoiceField(UserOptions, forms.ModelChoiceField):
    pass


def user_select(**attrs) -> AutocompleteSelect:
    """A user select that carries only the chosen user; the others load on focus or typing."""
    return AutocompleteSelect(
        reverse_lazy("accounts:user_autocomplete"), attrs={"data-preload": "focus", **attrs}
    )


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "department",
            "team",
            "branch",
            "language",
            "is_active",
        ]

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another user already has this e-mail address."))
        return email

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password, self.instance)
        elif not self.instance.pk:
            raise forms.ValidationError(_("Set a password for the new user."))
        return password


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "phone"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
