"""Proposals in the API: CRUD, lines, PDF, sending, decisions, discount approval, versions.

Every write takes the revision the caller edited (``revision`` in the body) or the proposal's
ETag (``If-Match``); a stale one answers 412."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.catalog.models import PriceList, Product
from rapport.contacts.models import Person
from rapport.core.api.viewsets import ETagMixin, ScopedViewSetMixin, ServiceModelViewSet
from rapport.core.services import etag_for
from rapport.orders.filtersets.proposals import PROPOSAL_SORTS, ProposalFilterSet
from rapport.orders.models import Order, Proposal, ProposalLine
from rapport.orders.services import proposals as services
from rapport.sales.models import Deal


# Serializers ------------------------------------------------------------------------------------
class ProposalLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalLine
        fields = [
            "id",
            "proposal",
            "position",
            "product",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "tax_rate",
            "gross_amount",
            "net_amount",
            "tax_amount",
        ]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    lines = ProposalLineSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "number",
            "version",
            "previous",
            "deal",
            "title",
            "status",
            "company",
            "person",
            "currency",
            "language",
            "price_list",
            "valid_until",
            "introduction",
            "terms",
            "notes",
            "client_people",
            "our_people",
            "subtotal",
            "discount_total",
            "net_total",
            "tax_total",
            "total",
            "discount_approval",
            "discount_approved_by",
            "owner",
            "team",
            "revision",
            "sent_at",
            "decided_at",
            "created_at",
            "updated_at",
            "lines",
        ]
        read_only_fields = fields


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False, min_value=0, help_text="The revision you edited (or send If-Match)."
    )


class _HeaderFields(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    language = serializers.ChoiceField(
        choices=Proposal._meta.get_field("language").choices, required=False
    )
    valid_until = serializers.DateField(required=False, allow_null=True)
    price_list = serializers.PrimaryKeyRelatedField(
        queryset=PriceList.objects.all(), required=False, allow_null=True
    )
    introduction = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    terms = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    client_people = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )


class ProposalCreateSerializer(_HeaderFields):
    deal = serializers.PrimaryKeyRelatedField(queryset=Deal.objects.all())


class ProposalUpdateSerializer(_HeaderFields, RevisionSerializer):
    pass


class LineInputSerializer(RevisionSerializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True)
    unit_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    discount_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    tax_rate = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )


class LineUpdateSerializer(RevisionSerializer):
    description = serializers.CharField(max_length=500, required=False)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    discount_percent = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)


class SendSerializer(RevisionSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class DecisionSerializer(RevisionSerializer):
    decision = serializers.ChoiceField(choices=["approve", "refuse"])


class AcceptedSerializer(serializers.Serializer):
    proposal = ProposalSerializer()
    order = serializers.IntegerField(help_text="The id of the order created.")
    order_number = serializers.CharField()


# Views ------------------------------------------------------------------------------------------
def _with_etag(data, instance, code=status.HTTP_200_OK) -> Response:
    response = Response(data, status=code)
    response["ETag"] = etag_for(instance)
    return response


class ProposalViewSet(ServiceModelViewSet):
    """Commercial proposals on the deals you may see."""

    model = Proposal
    filterset_class = ProposalFilterSet
    serializer_class = ProposalSerializer
    ordering = ["-created_at", "-id"]
    ordering_fields = [f for fields in PROPOSAL_SORTS.values() for f in fields]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self):
        return Proposal.objects.prefetch_related("lines", "client_people", "our_people")

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _write_kwargs(self, data: dict) -> dict:
        return {"revision": data.pop("revision", None), "if_match": self.if_match()}

    def _output(self, proposal, code=status.HTTP_200_OK) -> Response:
        proposal = self.base_queryset().get(pk=proposal.pk)
        return _with_etag(ProposalSerializer(proposal).data, proposal, code)

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(ProposalCreateSerializer)
        proposal = services.proposal_create(actor=request.user, **data)
        return self._output(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=ProposalUpdateSerializer, responses=ProposalSerializer)
    def partial_update(self, request, *args, **kwargs):
        proposal = self.get_object()
        data = self._input(ProposalUpdateSerializer)
        proposal = services.proposal_update(
            actor=request.user, proposal=proposal, **self._write_kwargs(data), **data
        )
        return self._output(proposal)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        proposal = self.get_object()
        revision = request.query_params.get("revision")
        services.proposal_delete(
            actor=request.user, proposal=proposal, revision=revision, if_match=self.if_match()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=ProposalLineSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=LineInputSerializer, responses={201: ProposalLineSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def lines(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "GET":
            lines = proposal.lines.order_by("position", "pk")
            return Response(ProposalLineSerializer(lines, many=True).data)
        data = self._input(LineInputSerializer)
        line = services.proposal_line_add(
            actor=request.user, proposal=proposal, **self._write_kwargs(data), **data
        )
        response = Response(ProposalLineSerializer(line).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(Proposal.objects.get(pk=proposal.pk))
        return response

    @extend_schema(request=SendSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(SendSerializer)
        proposal = services.proposal_send(
            actor=request.user, proposal=proposal, **self._write_kwargs(data), **data
        )
        return self._output(proposal)

    @extend_schema(request=RevisionSerializer, responses=AcceptedSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(RevisionSerializer)
        order: Order = services.proposal_accept(
            actor=request.user, proposal=proposal, **self._write_kwargs(data)
        )
        proposal = self.base_queryset().get(pk=proposal.pk)
        return Response(
            {
                "proposal": ProposalSerializer(proposal).data,
                "order": order.pk,
                "order_number": order.number,
            }
        )

    @extend_schema(request=RevisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(RevisionSerializer)
        proposal = services.proposal_reject(
            actor=request.user, proposal=proposal, **self._write_kwargs(data)
        )
        return self._output(proposal)

    @extend_schema(request=DecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], url_path="approve-discount")
    def approve_discount(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(DecisionSerializer)
        approve = data.pop("decision") == "approve"
        proposal = services.proposal_decide_discount(
            actor=request.user, proposal=proposal, approve=approve, **self._write_kwargs(data)
        )
        return self._output(proposal)

    @extend_schema(request=RevisionSerializer, responses={201: ProposalSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(RevisionSerializer)
        new = services.proposal_new_version(
            actor=request.user, proposal=proposal, **self._write_kwargs(data)
        )
        return self._output(new, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        proposal = self.get_object()
        response = HttpResponse(services.proposal_pdf(proposal), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{services.pdf_filename(proposal)}"'
        return response


class ProposalLineViewSet(
    ScopedViewSetMixin,
    ETagMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """One line of a proposal (lines are added at ``/proposals/{id}/lines/``). The revision and
    the ETag are the proposal's."""

    model = ProposalLine
    serializer_class = ProposalLineSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def base_queryset(self):
        return ProposalLine.objects.select_related("proposal")

    def retrieve(self, request, *args, **kwargs):
        line = self.get_object()
        return _with_etag(ProposalLineSerializer(line).data, line.proposal)

    @extend_schema(request=LineUpdateSerializer, responses=ProposalLineSerializer)
    def partial_update(self, request, *args, **kwargs):
        line = self.get_object()
        data = LineUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        revision = fields.pop("revision", None)
        line = services.proposal_line_update(
            actor=request.user, line=line, revision=revision, if_match=self.if_match(), **fields
        )
        return _with_etag(
            ProposalLineSerializer(line).data, Proposal.objects.get(pk=line.proposal_id)
        )

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        line = self.get_object()
        services.proposal_line_remove(
            actor=request.user,
            line=line,
            revision=request.query_params.get("revision"),
            if_match=self.if_match(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
