"""API endpoints of the customer base."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from rapport.activities.api.serializers import TimelineEntrySerializer
from rapport.activities.selectors.timeline import timeline
from rapport.contacts import dedupe, fileformats
from rapport.contacts.api.serializers import (
    CompanySerializer,
    ConsentInputSerializer,
    ConsentSerializer,
    DuplicateSerializer,
    EmploymentSerializer,
    MergeSerializer,
    PersonSerializer,
)
from rapport.contacts.dedupe import company_probe, person_probe
from rapport.contacts.filtersets import CompanyFilterSet, PersonFilterSet
from rapport.contacts.models import Company, CompanyAddress, Employment, Person
from rapport.contacts.services import (
    company_create,
    company_delete,
    company_merge,
    company_update,
    consent_set,
    employment_set,
    person_create,
    person_delete,
    person_merge,
    person_update,
    record_verified,
)
from rapport.contacts.services.transfer import export_start, import_start
from rapport.contacts.tables import COMPANY_SORTS, PERSON_SORTS
from rapport.core.api.jobs import JobSerializer
from rapport.core.api.viewsets import ServiceModelViewSet
from rapport.core.changelog import history_for
from rapport.core.errors import NotFound
from rapport.core.models import Job, Tag

CONFIRM = OpenApiParameter(
    "confirm_duplicate", OpenApiTypes.BOOL, description="Create even if likely duplicates exist."
)


def _confirmed(request) -> bool:
    return str(request.query_params.get("confirm_duplicate", "")).lower() in ("1", "true", "yes")


class CustomerRecordViewSet(ServiceModelViewSet):
    duplicate_status = status.HTTP_409_CONFLICT

    def duplicates_for(self, data) -> list[dict]:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not _confirmed(request):
            duplicates = self.duplicates_for(serializer.validated_data)
            if duplicates:
                return Response(
                    {
                        "code": "duplicates",
                        "detail": _(
                            "Similar records already exist. Open one of them, or repeat the "
                            "request with confirm_duplicate=true to create a new record."
                        ),
                        "fields": {},
                        "duplicates": DuplicateSerializer(duplicates, many=True).data,
                    },
                    status=self.duplicate_status,
                )
        self.perform_create(serializer)
        instance = self.base_queryset().get(pk=serializer.instance.pk)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        target = self.get_object()
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = self.get_queryset().filter(pk=data.validated_data["other"]).first()
        if other is None:
            raise NotFound()
        merged = self.merge_service(actor=request.user, target=target, source=other)
        return Response(self.get_serializer(self.base_queryset().get(pk=merged.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        record_verified(actor=request.user, obj=self.get_object())
        return Response(self.get_serializer(self.base_queryset().get(pk=pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("before", OpenApiTypes.DATETIME)],
        responses=inline_serializer(
            "TimelinePage",
            {
                "results": TimelineEntrySerializer(many=True),
                "next_before": serializers.DateTimeField(allow_null=True),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        obj = self.get_object()
        before = parse_datetime(request.query_params.get("before", "") or "")
        entries, cursor = timeline(obj, user=request.user, before=before)
        return Response(
            {"results": TimelineEntrySerializer(entries, many=True).data, "next_before": cursor}
        )

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        obj = self.get_object()
        from rapport.activities.selectors.timeline import TimelineEntry

        entries = [TimelineEntry(c.created_at, "change", c) for c in history_for([obj])[:500]]
        return Response(TimelineEntrySerializer(entries, many=True).data)


class CompanyViewSet(CustomerRecordViewSet):
    """Companies you may see: customers, prospects, partners, suppliers, competitors."""

    model = Company
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    ordering_fields = list(COMPANY_SORTS)
    ordering = ["name", "id"]
    merge_service = staticmethod(company_merge)

    def base_queryset(self):
        return Company.objects.select_related("curator", "team").prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch("addresses", queryset=CompanyAddress.objects.order_by("pk")),
        )

    def duplicates_for(self, data):
        probe = company_probe(
            {k: data.get(k, "") for k in ("name", "tax_number", "email", "phone")}
        )
        return dedupe.disclose(Company, dedupe.company_matches([probe])[0], self.request.user)

    def service_create(self, data):
        return company_create(actor=self.request.user, **data)

    def service_update(self, instance, data, *, if_match=None):
        return company_update(actor=self.request.user, company=instance, if_match=if_match, **data)

    def service_delete(self, instance, *, if_match=None):
        company_delete(actor=self.request.user, company=instance, if_match=if_match)

    @extend_schema(
        parameters=[
            OpenApiParameter(n, OpenApiTypes.STR) for n in ("name", "tax_number", "email", "phone")
        ],
        responses=DuplicateSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def duplicates(self, request):
        params = request.query_params
        probe = company_probe(
            {k: params.get(k, "") for k in ("name", "tax_number", "email", "phone")}
        )
        matches = dedupe.company_matches([probe])[0]
        return Response(
            DuplicateSerializer(dedupe.disclose(Company, matches, request.user), many=True).data
        )


class PersonViewSet(CustomerRecordViewSet):
    """People you may see, with their e-mails, phones, roles at companies and consents."""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = list(PERSON_SORTS)
    ordering = ["last_name", "first_name", "id"]
    merge_service = staticmethod(person_merge)

    def base_queryset(self):
        return Person.objects.select_related("curator", "team").prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            "emails",
            "phones",
            "consents",
            Prefetch("employments", queryset=Employment.objects.select_related("company")),
        )

    def duplicates_for(self, data):
        probe = person_probe(
            data.get("first_name", ""),
            data.get("last_name", ""),
            data.get("emails", []),
            data.get("phones", []),
        )
        return dedupe.disclose(Person, dedupe.person_matches([probe])[0], self.request.user)

    def _companies(self, data):
        rows = data.pop("companies", None) or []
        ids = [r["company"] for r in rows]
        visible = {c.pk: c for c in Company.objects.restrict(self.request.user).filter(pk__in=ids)}
        missing = [i for i in ids if i not in visible]
        if missing:
            raise ValidationError({"companies": _("Choose companies you can see.")})
        return [(visible[r["company"]], r.get("position", "")) for r in rows]

    def service_create(self, data):
        companies = self._companies(data)
        return person_create(actor=self.request.user, companies=companies, **data)

    def service_update(self, instance, data, *, if_match=None):
        data.pop("companies", None)
        return person_update(actor=self.request.user, person=instance, if_match=if_match, **data)

    def service_delete(self, instance, *, if_match=None):
        person_delete(actor=self.request.user, person=instance, if_match=if_match)

    @extend_schema(
        parameters=[
            OpenApiParameter(n, OpenApiTypes.STR)
            for n in ("first_name", "last_name", "email", "phone")
        ],
        responses=DuplicateSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def duplicates(self, request):
        params = request.query_params
        probe = person_probe(
            params.get("first_name", ""),
            params.get("last_name", ""),
            [params.get("email", "")],
            [params.get("phone", "")],
        )
        matches = dedupe.person_matches([probe])[0]
        return Response(
            DuplicateSerializer(dedupe.disclose(Person, matches, request.user), many=True).data
        )

    @extend_schema(request=ConsentInputSerializer, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def consents(self, request, pk=None):
        person = self.get_object()
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_set(actor=request.user, person=person, **data.validated_data)
        return Response(ConsentSerializer(consent).data)

    @extend_schema(request=EmploymentSerializer, responses=EmploymentSerializer)
    @action(detail=True, methods=["post"])
    def employments(self, request, pk=None):
        person = self.get_object()
        data = EmploymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = (
            Company.objects.restrict(request.user)
            .filter(pk=data.validated_data["company"].pk)
            .first()
        )
        if company is None:
            raise NotFound()
        employment = employment_set(
            actor=request.user,
            person=person,
            company=company,
            position=data.validated_data.get("position", ""),
            is_primary=data.validated_data.get("is_primary", False),
        )
        return Response(EmploymentSerializer(employment).data)

    @extend_schema(
        parameters=[OpenApiParameter("version", OpenApiTypes.STR, enum=["3.0", "4.0"])],
        responses={(200, "text/vcard"): OpenApiTypes.STR},
    )
    @action(detail=True, methods=["get"])
    def vcard(self, request, pk=None):
        person = self.get_object()
        person.primary_employments = [e for e in person.employments.all() if e.is_primary]
        version = "4.0" if request.query_params.get("version") == "4.0" else "3.0"
        return HttpResponse(
            fileformats.write_vcards([person], version), content_type="text/vcard; charset=utf-8"
        )


class ImportRequestSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=["company", "person"])
    file = serializers.FileField()
    encoding = serializers.ChoiceField(
        choices=[k for k, _v in fileformats.ENCODINGS], default="auto"
    )
    on_duplicate = serializers.ChoiceField(choices=["skip", "create"], default="skip")
    mapping = serializers.JSONField(
        required=False,
        help_text="Column number (from 0, as text) -> field key; guessed from the header "
        "if absent.",
    )


class ExportRequestSerializer(serializers.Serializer):
    list = serializers.ChoiceField(choices=["company", "person"])
    format = serializers.ChoiceField(choices=["csv", "xlsx", "vcf"])
    query = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    vcard_version = serializers.ChoiceField(choices=["3.0", "4.0"], default="3.0")


class ImportViewSet(viewsets.GenericViewSet):
    """Start an import of companies or people; follow it at /api/v1/jobs/{id}/."""

    parser_classes = [MultiPartParser]
    serializer_class = ImportRequestSerializer
    queryset = Job.objects.none()

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer}, responses={202: JobSerializer}
    )
    def create(self, request):
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = import_start(
            actor=request.user,
            file_name=v["file"].name,
            content=v["file"].read(),
            content_type=v["file"].content_type,
            target=v["target"],
            encoding=v["encoding"],
            mapping=v.get("mapping"),
            on_duplicate=v["on_duplicate"],
            start=True,
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportViewSet(viewsets.GenericViewSet):
    """Export a filtered list (the same filters as the list endpoints, as a query string)."""

    serializer_class = ExportRequestSerializer
    queryset = Job.objects.none()
    read_only_roles_may_post = True  # exporting is reading

    @extend_schema(request=ExportRequestSerializer, responses={202: JobSerializer})
    def create(self, request):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = export_start(
            actor=request.user,
            noun=v["list"],
            fmt=v["format"],
            query=v["query"],
            vcard_version=v["vcard_version"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
