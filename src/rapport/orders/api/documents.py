"""API of orders, invoices, payments and shipments: reads, and writes through the services."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.core import scoping
from rapport.core.api.viewsets import ETagMixin, ScopedViewSetMixin
from rapport.core.services import etag_for
from rapport.orders import selectors
from rapport.orders.filtersets.documents import (
    INVOICE_SORTS,
    ORDER_SORTS,
    SHIPMENT_SORTS,
    InvoiceFilterSet,
    OrderFilterSet,
    PaymentFilterSet,
    ShipmentFilterSet,
)
from rapport.orders.models import (
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
    Shipment,
    ShipmentLine,
)
from rapport.orders.services.invoices import (
    invoice_cancel,
    invoice_create,
    invoice_issue,
    invoice_update,
)
from rapport.orders.services.orders import order_move, order_update
from rapport.orders.services.payments import may_delete_payment, payment_create, payment_delete
from rapport.orders.services.shipments import (
    shipment_cancel,
    shipment_create,
    shipment_deliver,
    shipment_ship,
)

LINE_FIELDS = [
    "id",
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
HEADER_FIELDS = [
    "id",
    "number",
    "status",
    "company",
    "person",
    "currency",
    "language",
    "subtotal",
    "discount_total",
    "net_total",
    "tax_total",
    "total",
    "owner",
    "team",
    "notes",
    "created_at",
    "updated_at",
]


# Serializers -----------------------------------------------------------------------------------
class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [*LINE_FIELDS, "quantity_invoiced", "quantity_shipped"]


class OrderSerializer(serializers.ModelSerializer):
    # Plain strings: the allowed values are documented on each model's choices.
    status = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            *HEADER_FIELDS,
            "deal",
            "proposal",
            "ordered_on",
            "invoiced_total",
            "paid_total",
            "lines",
        ]
        read_only_fields = [f for f in fields if f != "notes"]


class OrderMoveSerializer(serializers.Serializer):
    status = serializers.CharField(
        max_length=12, help_text="completed or cancelled (only while nothing is invoiced/shipped)"
    )


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [*LINE_FIELDS, "order_line"]


class InvoiceSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            *HEADER_FIELDS,
            "order",
            "issued_on",
            "due_on",
            "paid_on",
            "amount_paid",
            "amount_due",
            "is_overdue",
            "lines",
        ]
        read_only_fields = [f for f in fields if f != "notes"]


class QuantitySerializer(serializers.Serializer):
    order_line = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)


class InvoiceCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    lines = QuantitySerializer(
        many=True, required=False, help_text="Omit to invoice everything not yet invoiced."
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class InvoiceUpdateSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    lines = QuantitySerializer(many=True, required=False)


class PaymentSerializer(serializers.ModelSerializer):
    invoice = serializers.IntegerField(source="invoice_id")
    currency = serializers.CharField(max_length=3, required=False)
    # A plain string (the model checks the choice): "method" names other enums in the schema.
    method = serializers.CharField(
        max_length=15, required=False, help_text="bank_transfer, card, cash or other"
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "amount",
            "currency",
            "paid_on",
            "method",
            "reference",
            "note",
            "owner",
            "created_at",
        ]
        read_only_fields = ["owner", "created_at"]
        extra_kwargs = {"paid_on": {"required": False}}


class ShipmentLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShipmentLine
        fields = ["id", "order_line", "quantity"]


class ShipmentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    lines = ShipmentLineSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "order",
            "status",
            "planned_on",
            "shipped_on",
            "delivered_on",
            "carrier",
            "tracking_number",
            "address",
            "note",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ShipmentCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    lines = QuantitySerializer(
        many=True, required=False, help_text="Omit to ship everything not yet shipped."
    )
    planned_on = serializers.DateField(required=False, allow_null=True)
    carrier = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


# Viewsets --------------------------------------------------------------------------------------
def _order_for_change(user, pk) -> Order:
    order = Order.objects.restrict(user, scoping.CHANGE).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def _pdf(document, content: bytes):
    return selectors.pdf_response(content, document)


class _Documents(ScopedViewSetMixin, ETagMixin, viewsets.GenericViewSet):
    def answer(self, instance, code=status.HTTP_200_OK):
        instance = self.base_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer_class()(instance).data, status=code)
        response["ETag"] = etag_for(instance)
        return response


class OrderViewSet(_Documents, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Orders made from accepted proposals; notes and status moves; the PDF."""

    model = Order
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    ordering = ["-ordered_on", "-id"]
    ordering_fields = [name for fields in ORDER_SORTS.values() for name in fields]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def base_queryset(self):
        return Order.objects.prefetch_related("lines")

    @extend_schema(request=OrderSerializer)
    def partial_update(self, request, pk=None):
        order = self.get_object()
        data = OrderSerializer(order, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        notes = data.validated_data.get("notes", order.notes)
        order = order_update(actor=request.user, order=order, notes=notes, if_match=self.if_match())
        return self.answer(order)

    @extend_schema(request=OrderMoveSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        order = self.get_object()
        data = OrderMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_move(
            actor=request.user,
            order=order,
            status=data.validated_data["status"],
            if_match=self.if_match(),
        )
        return self.answer(order)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        order = self.get_object()
        return _pdf(order, selectors.order_pdf(order))


class InvoiceViewSet(
    _Documents, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Invoices of orders: full or partial, issued, cancelled; the PDF. ``overdue=true`` lists
    the overdue ones."""

    model = Invoice
    filterset_class = InvoiceFilterSet
    ordering = ["-issued_on", "-id"]
    ordering_fields = [name for fields in INVOICE_SORTS.values() for name in fields]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return InvoiceCreateSerializer
        if self.action == "partial_update":
            return InvoiceUpdateSerializer
        return InvoiceSerializer

    def base_queryset(self):
        return Invoice.objects.prefetch_related("lines")

    def answer(self, instance, code=status.HTTP_200_OK):
        instance = self.base_queryset().get(pk=instance.pk)
        response = Response(InvoiceSerializer(instance).data, status=code)
        response["ETag"] = etag_for(instance)
        return response

    @extend_schema(request=InvoiceCreateSerializer, responses={201: InvoiceSerializer})
    def create(self, request, *args, **kwargs):
        data = InvoiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        invoice = invoice_create(
            actor=request.user,
            order=_order_for_change(request.user, v["order"]),
            lines=v.get("lines"),
            notes=v["notes"],
        )
        return self.answer(invoice, status.HTTP_201_CREATED)

    @extend_schema(request=InvoiceUpdateSerializer, responses=InvoiceSerializer)
    def partial_update(self, request, pk=None):
        invoice = self.get_object()
        data = InvoiceUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = invoice_update(
            actor=request.user, invoice=invoice, if_match=self.if_match(), **data.validated_data
        )
        return self.answer(invoice)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        invoice = invoice_issue(actor=request.user, invoice=self.get_object())
        return self.answer(invoice)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        invoice = invoice_cancel(actor=request.user, invoice=self.get_object())
        return self.answer(invoice)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        return _pdf(invoice, selectors.invoice_pdf(invoice))


class PaymentViewSet(
    _Documents,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Payments received against invoices. Deleting one (administrators and the owner) puts
    the invoice back to what it was."""

    model = Payment
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    ordering = ["-paid_on", "-id"]
    ordering_fields = ["paid_on", "id"]

    def create(self, request, *args, **kwargs):
        data = PaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        invoice_id = v.pop("invoice_id")
        invoice = Invoice.objects.restrict(request.user, scoping.CHANGE).filter(pk=invoice_id)
        invoice = invoice.first()
        if invoice is None:
            raise Http404
        payment = payment_create(actor=request.user, invoice=invoice, **v)
        return self.answer(payment, status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        payment = self.get_object()
        if not may_delete_payment(request.user, payment):
            raise Http404
        payment_delete(actor=request.user, payment=payment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShipmentViewSet(
    _Documents, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Shipments of orders (partial ones too): planned, shipped, delivered or cancelled.
    Shipping takes the goods out of stock (a level may go below zero); cancelling a shipped
    shipment puts them back."""

    model = Shipment
    filterset_class = ShipmentFilterSet
    ordering = ["-id"]
    ordering_fields = sorted({name for fields in SHIPMENT_SORTS.values() for name in fields})

    def get_serializer_class(self):
        return ShipmentCreateSerializer if self.action == "create" else ShipmentSerializer

    def base_queryset(self):
        return Shipment.objects.prefetch_related("lines")

    def answer(self, instance, code=status.HTTP_200_OK):
        instance = self.base_queryset().get(pk=instance.pk)
        response = Response(ShipmentSerializer(instance).data, status=code)
        response["ETag"] = etag_for(instance)
        return response

    @extend_schema(request=ShipmentCreateSerializer, responses={201: ShipmentSerializer})
    def create(self, request, *args, **kwargs):
        data = ShipmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        order = _order_for_change(request.user, v.pop("order"))
        shipment = shipment_create(actor=request.user, order=order, **v)
        return self.answer(shipment, status.HTTP_201_CREATED)

    def _move(self, service):
        return self.answer(service(actor=self.request.user, shipment=self.get_object()))

    @extend_schema(request=None, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        return self._move(shipment_ship)

    @extend_schema(request=None, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._move(shipment_deliver)

    @extend_schema(request=None, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(shipment_cancel)
