"""API representations of companies and people (output) and what clients may send (input)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rapport.accounts.models import Branch, Team, Territory, User
from rapport.contacts.api import pages
from rapport.contacts.choices import AddressKind
from rapport.contacts.models import Company, CompanyAddress, Consent, Employment, Person


class AddressSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AddressKind.choices, default=AddressKind.OFFICE)

    class Meta:
        model = CompanyAddress
        fields = ["kind", "street", "city", "postal_code", "region", "country"]


class CustomFieldsField(serializers.JSONField):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Custom fields must be an object."))
        return data


class RelatedValuesField(serializers.ListField):
    """A list of plain values in and out; out, it reads one attribute of each related row (the
    relation's manager is not iterable, so ListField alone cannot represent it)."""

    def __init__(self, *, attribute: str, **kwargs):
        self.attribute = attribute
        super().__init__(**kwargs)

    def to_representation(self, data):
        return [getattr(item, self.attribute) for item in data.all()]


class PageSerializer(serializers.ListSerializer):
    """``many=True``: a page handed over as a queryset is read as values (``api.pages``)."""

    @staticmethod
    def read_page(queryset) -> list[dict]:
        raise NotImplementedError

    def to_representation(self, data):
        if isinstance(data, QuerySet):
            return self.read_page(data)
        return super().to_representation(data)


class CompanyPageSerializer(PageSerializer):
    read_page = staticmethod(pages.companies_page)


class PersonPageSerializer(PageSerializer):
    read_page = staticmethod(pages.people_page)


class CustomerRecordSerializer(serializers.ModelSerializer):
    curator = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    tags = RelatedValuesField(
        attribute="name", child=serializers.CharField(max_length=60), required=False, max_length=50
    )
    custom_fields = CustomFieldsField(required=False, source="custom")
    is_stale = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()

    common_fields = [
        "id",
        "url",
        "curator",
        "team",
        "tags",
        "custom_fields",
        "source",
        "source_detail",
        "verified_at",
        "last_contacted_at",
        "is_stale",
        "notes",
        "created_at",
        "updated_at",
    ]
    common_read_only = ["verified_at", "last_contacted_at", "created_at", "updated_at"]

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()


class CompanySerializer(CustomerRecordSerializer):
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True
    )
    branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(), required=False, allow_null=True
    )
    addresses = AddressSerializer(many=True, required=False)

    class Meta:
        model = Company
        fields = [
            "kind",
            "name",
            "legal_name",
            "tax_number",
            "registry_number",
            "industry",
            "size",
            "territory",
            "branch",
            "website",
            "phone",
            "email",
            "addresses",
            *CustomerRecordSerializer.common_fields,
        ]
        read_only_fields = CustomerRecordSerializer.common_read_only
        list_serializer_class = CompanyPageSerializer
        # The services normalise phones and e-mails and report invalid ones in the user's language.
        extra_kwargs = {"phone": {"max_length": 40}, "email": {"validators": []}}

    def get_fields(self):
        fields = super().get_fields()
        fields["email"] = serializers.CharField(max_length=254, required=False, allow_blank=True)
        return fields


class EmploymentSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = Employment
        fields = ["id", "company", "company_name", "position", "is_primary", "is_current"]
        read_only_fields = ["id", "company_name", "is_current"]


class EmploymentInputSerializer(serializers.Serializer):
    company = serializers.IntegerField(min_value=1)
    position = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    is_primary = serializers.BooleanField(required=False, default=False)


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["channel", "is_granted", "recorded_at", "method", "text"]
        read_only_fields = ["recorded_at"]


class PersonSerializer(CustomerRecordSerializer):
    emails = RelatedValuesField(
        attribute="email",
        child=serializers.CharField(max_length=254),
        required=False,
        max_length=20,
    )
    phones = RelatedValuesField(
        attribute="number",
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=20,
    )
    companies = EmploymentInputSerializer(many=True, required=False, write_only=True)
    # A nested field (not a method building a serializer per person): its fields are built once
    # per list, which is most of the cost of a page of 50 people.
    employments = EmploymentSerializer(many=True, read_only=True)
    consents = ConsentSerializer(many=True, read_only=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "first_name",
            "middle_name",
            "last_name",
            "full_name",
            "position",
            "birthday",
            "preferred_channel",
            "preferred_language",
            "emails",
            "phones",
            "companies",
            "employments",
            "consents",
            *CustomerRecordSerializer.common_fields,
        ]
        read_only_fields = CustomerRecordSerializer.common_read_only
        list_serializer_class = PersonPageSerializer


class DuplicateSerializer(serializers.Serializer):
    name = serializers.CharField()
    curator = serializers.CharField(allow_null=True)
    curator_team = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    is_visible = serializers.BooleanField()
    id = serializers.IntegerField(required=False)
    url = serializers.CharField(required=False)
    last_contacted_at = serializers.DateTimeField(required=False, allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not data.get("is_visible"):
            # A record out of the user's scope discloses only who to talk to.
            for key in ("id", "url", "last_contacted_at"):
                data.pop(key, None)
        return data


class MergeSerializer(serializers.Serializer):
    other = serializers.IntegerField(
        min_value=1, help_text="The duplicate merged into this record."
    )


class ConsentInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["channel", "is_granted", "method", "text"]
