"""API of leads: CRUD, qualify, disqualify, convert, assign, and an import of a file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from rapport.accounts.models import Team, Territory, User
from rapport.contacts.api.serializers import DuplicateSerializer
from rapport.contacts.choices import Source
from rapport.contacts.models import Company, Person
from rapport.core.api.jobs import JobSerializer
from rapport.core.api.viewsets import ServiceModelViewSet
from rapport.core.money import Currency
from rapport.sales.choices import DisqualifyReason
from rapport.sales.filtersets.leads import LEAD_SORTS, LeadFilterSet
from rapport.sales.models import Lead, LeadWebForm, Pipeline, Stage
from rapport.sales.services.lead_imports import lead_import_start
from rapport.sales.services.leads import (
    EDITABLE_ORDER,
    DuplicatesFound,
    lead_assign,
    lead_convert,
    lead_create,
    lead_delete,
    lead_disqualify,
    lead_qualify,
    lead_update,
)

READ_ONLY = [
    "id",
    "url",
    "status",
    "assigned_at",
    "disqualify_reason",
    "disqualify_note",
    "converted_at",
    "company",
    "person",
    "deal",
    "created_at",
    "updated_at",
]


class LeadSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True
    )
    web_form = serializers.PrimaryKeyRelatedField(
        queryset=LeadWebForm.objects.all(), required=False, allow_null=True
    )
    # The service normalises them (a phone of any common form becomes E.164).
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    url = serializers.SerializerMethodField()
    deal = serializers.SerializerMethodField()
    company = serializers.PrimaryKeyRelatedField(read_only=True)
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    # Plain text out (one of DisqualifySerializer's reasons): the schema names the set once.
    disqualify_reason = serializers.CharField(read_only=True)

    class Meta:
        model = Lead
        fields = [*READ_ONLY, *EDITABLE_ORDER]
        read_only_fields = READ_ONLY

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_deal(self, obj) -> int | None:
        deal = getattr(obj, "deal", None) if obj.status == "converted" else None
        return deal.pk if deal else None


class DisqualifySerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DisqualifyReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AssignSerializer(serializers.Serializer):
    user = serializers.IntegerField()


class ConvertSerializer(serializers.Serializer):
    pipeline = serializers.PrimaryKeyRelatedField(queryset=Pipeline.objects.all())
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), required=False, allow_null=True
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    currency = serializers.ChoiceField(choices=Currency.choices, required=False, allow_blank=True)
    deal_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    expected_close_date = serializers.DateField(required=False, allow_null=True)
    company = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing company to link."
    )
    person = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing person to link."
    )
    create_company = serializers.BooleanField(default=True)
    create_person = serializers.BooleanField(default=True)
    confirm_new = serializers.BooleanField(
        default=False,
        help_text="Create new records although customers with a similar name exist (a match "
        "by e-mail, phone or tax number always needs a link instead).",
    )


class ConvertResultSerializer(serializers.Serializer):
    lead = LeadSerializer()
    deal = serializers.IntegerField()


class LeadImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    campaign = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class LeadViewSet(ServiceModelViewSet):
    """Leads you may see: prospects not yet qualified, from every source."""

    model = Lead
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    ordering_fields = list(LEAD_SORTS)
    ordering = ["-created_at", "-id"]

    def base_queryset(self):
        return Lead.objects.select_related("deal")

    def service_create(self, data):
        data.setdefault("source", Source.API)
        return lead_create(actor=self.request.user, **data)

    def service_update(self, instance, data, *, if_match=None):
        return lead_update(actor=self.request.user, lead=instance, if_match=if_match, **data)

    def service_delete(self, instance, *, if_match=None):
        lead_delete(actor=self.request.user, lead=instance, if_match=if_match)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = self.service_create(dict(serializer.validated_data))
        # The rules may have given the lead to a team the author does not see: say only its id.
        visible = self.base_queryset().restrict(request.user).filter(pk=lead.pk).first()
        if visible is None:
            return Response({"id": lead.pk}, status=status.HTTP_201_CREATED)
        return Response(self.get_serializer(visible).data, status=status.HTTP_201_CREATED)

    def _answer(self, lead):
        return Response(self.get_serializer(self.base_queryset().get(pk=lead.pk)).data)

    @extend_schema(request=None, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def qualify(self, request, pk=None):
        return self._answer(lead_qualify(actor=request.user, lead=self.get_object()))

    @extend_schema(request=DisqualifySerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        lead = self.get_object()
        data = DisqualifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(lead_disqualify(actor=request.user, lead=lead, **data.validated_data))

    @extend_schema(request=AssignSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        lead = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(pk=data.validated_data["user"]).first()
        if user is None:
            raise ValidationError({"user": _("Assign the lead to an active user.")})
        return self._answer(lead_assign(actor=request.user, lead=lead, user=user))

    @extend_schema(
        request=ConvertSerializer,
        responses={
            200: ConvertResultSerializer,
            409: inline_serializer(
                "LeadConversionMatches",
                {
                    "code": serializers.CharField(),
                    "detail": serializers.CharField(),
                    "fields": serializers.DictField(),
                    "blocking": serializers.BooleanField(),
                    "companies": DuplicateSerializer(many=True),
                    "people": DuplicateSerializer(many=True),
                },
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        lead = self.get_object()
        data = ConvertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        for name, model in (("company", Company), ("person", Person)):
            if values.get(name) is not None:
                found = model.objects.restrict(user).filter(pk=values[name]).first()
                if found is None:
                    raise ValidationError(
                        {name: _("Choose a record from the list; that one is not available.")}
                    )
                values[name] = found
        try:
            lead, deal = lead_convert(actor=user, lead=lead, **values)
        except DuplicatesFound as exc:
            return Response(
                {
                    "code": exc.code,
                    "detail": str(exc.message),
                    "fields": {},
                    "blocking": exc.blocking,
                    "companies": DuplicateSerializer(exc.companies, many=True).data,
                    "people": DuplicateSerializer(exc.people, many=True).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        lead = self.base_queryset().get(pk=lead.pk)
        return Response({"lead": self.get_serializer(lead).data, "deal": deal.pk})

    @extend_schema(
        request={"multipart/form-data": LeadImportSerializer},
        responses={202: JobSerializer},
        description="Check the file (type, size, columns) and start its import as a background "
        "job; follow it at /api/v1/jobs/{id}/. Every row is checked before any is written: with "
        'a bad row nothing is imported and the job\'s result lists the errors ("Row 3: …"); '
        "otherwise result.created and result.ids tell what was created.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_file(self, request):
        data = LeadImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = lead_import_start(
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            content_type=upload.content_type,
            campaign=data.validated_data["campaign"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
