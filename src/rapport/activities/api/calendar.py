"""Meetings and the calendar in the API: ``/meetings/`` (CRUD through the services, participants
as a field, actions ``invite``, ``answer``, ``cancel``, ``held``, ``reschedule``) and
``/calendar/events/?start=&end=`` (the calendar's events of a window)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from rapport.accounts.models import User
from rapport.activities.choices import MeetingKind
from rapport.activities.choices import Response as Answer
from rapport.activities.filtersets.meetings import MeetingFilterSet
from rapport.activities.models import Meeting, MeetingParticipant
from rapport.activities.selectors.calendar import calendar_events, parse_window, whose_calendar
from rapport.activities.services import meetings as services
from rapport.activities.services.meeting_invitations import meeting_invite
from rapport.contacts.models import Company, Person
from rapport.core import records
from rapport.core.api.viewsets import ServiceModelViewSet
from rapport.core.errors import ValidationError
from rapport.core.services import etag_for


class ParticipantSerializer(serializers.ModelSerializer):
    """One participant: ``user`` (one of ours) or ``person`` (the customer's). Written as
    ``{"user": id}`` or ``{"person": id}``; the rest is read only."""

    user = serializers.IntegerField(source="user_id", required=False, allow_null=True)
    person = serializers.IntegerField(source="person_id", required=False, allow_null=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = MeetingParticipant
        fields = ["id", "user", "person", "name", "email", "response", "invited_at"]
        read_only_fields = ["id", "name", "email", "response", "invited_at"]

    def get_name(self, row) -> str:
        return str(row.user if row.user_id else row.person)

    def validate(self, attrs):
        if bool(attrs.get("user_id")) == bool(attrs.get("person_id")):
            raise serializers.ValidationError(
                _("A participant is either a user or a person of the customer.")
            )
        return attrs


class MeetingSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.MEETING)
    organizer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    record = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The record the meeting is about, as app_label.model:id (e.g. sales.deal:12).",
    )
    participants = ParticipantSerializer(many=True, required=False)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "link",
            "status",
            "organizer",
            "team",
            "record",
            "company",
            "person",
            "participants",
            "remind_at",
            "reminded_at",
            "uid",
            "sequence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "team",
            "reminded_at",
            "uid",
            "sequence",
            "created_at",
            "updated_at",
        ]

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.content_type_id:
            content_type = instance.content_type
            data["record"] = f"{content_type.app_label}.{content_type.model}:{instance.object_id}"
        else:
            data["record"] = ""
        return data

    def validate(self, attrs):
        # The model's own rules (an end after the start...) are checked by the services, with
        # the same messages as in the UI; nothing to repeat here.
        return attrs


def service_arguments(user, data: dict) -> dict:
    """The serializer's data as the services take it: the record resolved in the caller's scope,
    the participants split into users and people."""
    data = dict(data)
    if "record" in data:
        value = data.pop("record")
        if value:
            label, _sep, pk = value.partition(":")
            data["record"] = records.find_record(user, label, pk)
        else:
            data["record"] = None
    if "participants" in data:
        rows = data.pop("participants") or []
        data["users"] = [row["user_id"] for row in rows if row.get("user_id")]
        data["people"] = [row["person_id"] for row in rows if row.get("person_id")]
    return data


class HeldSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


class InviteSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Person ids among the participants; omitted: all the customer's people.",
    )
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):
    participant = serializers.IntegerField(help_text="The participant's id (in ``participants``).")
    response = serializers.ChoiceField(choices=Answer.choices)


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MeetingViewSet(ServiceModelViewSet):
    """Meetings and calls you may see. Writes go through the services: an end before the start,
    a participant you may not see (404), a record you may not see (404) are refused with nothing
    written. ``POST /meetings/{id}/invite/`` e-mails the .ics invitation to the customer's
    people (refused for a person without an e-mail address or consent to e-mails)."""

    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    ordering = ["starts_at", "id"]
    ordering_fields = ["starts_at", "ends_at", "id"]

    def base_queryset(self):
        return Meeting.objects.select_related("content_type").prefetch_related(
            Prefetch(
                "participants",
                queryset=MeetingParticipant._base_manager.select_related("user", "person"),
            )
        )

    def _answer(self, meeting, code=status.HTTP_200_OK):
        fresh = self.base_queryset().get(pk=meeting.pk)
        response = Response(self.get_serializer(fresh).data, status=code)
        response["ETag"] = etag_for(fresh)
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = service_arguments(request.user, serializer.validated_data)
        meeting = services.meeting_create(actor=request.user, **data)
        return self._answer(meeting, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = service_arguments(request.user, serializer.validated_data)
        meeting = services.meeting_update(
            actor=request.user, meeting=instance, if_match=self.if_match(), **data
        )
        return self._answer(meeting)

    def service_delete(self, instance, *, if_match=None):
        services.meeting_delete(actor=self.request.user, meeting=instance, if_match=if_match)

    @extend_schema(request=InviteSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        meeting = self.get_object()
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting_invite(
            actor=request.user,
            meeting=meeting,
            people=data.validated_data.get("people"),
            message=data.validated_data["message"],
            if_match=self.if_match(),
        )
        return self._answer(meeting)

    @extend_schema(request=AnswerSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Record a participant's answer (accepted, tentative, declined, needs_action), as the
        organizer's side heard it."""
        meeting = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_record_answer(
            actor=request.user,
            meeting=meeting,
            participant=data.validated_data["participant"],
            response=data.validated_data["response"],
            if_match=self.if_match(),
        )
        return self._answer(meeting)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = services.meeting_cancel(
            actor=request.user, meeting=self.get_object(), if_match=self.if_match()
        )
        return self._answer(meeting)

    @extend_schema(request=HeldSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        meeting = self.get_object()
        data = HeldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_mark_held(
            actor=request.user,
            meeting=meeting,
            notes=data.validated_data["notes"],
            if_match=self.if_match(),
        )
        return self._answer(meeting)

    @extend_schema(request=RescheduleSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        meeting = self.get_object()
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_reschedule(
            actor=request.user,
            meeting=meeting,
            starts_at=data.validated_data["starts_at"],
            ends_at=data.validated_data["ends_at"],
            if_match=self.if_match(),
        )
        return self._answer(meeting)


class CalendarEventSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="meeting-<id> or task-<id>")
    title = serializers.CharField()
    start = serializers.CharField(help_text="Wall time in the site's time zone, no offset.")
    end = serializers.CharField()
    url = serializers.CharField()
    editable = serializers.BooleanField(help_text="Whether you may move it.")
    color = serializers.CharField()
    classNames = serializers.ListField(child=serializers.CharField())  # noqa: N815
    extendedProps = serializers.DictField()  # noqa: N815


class CalendarEventsAPIView(APIView):
    """The calendar's events of a window: meetings and calls, and open tasks with a due time."""

    @extend_schema(
        operation_id="calendar_events_list",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("user", OpenApiTypes.INT, description="A colleague's calendar."),
            OpenApiParameter("team", OpenApiTypes.INT, description="A team's calendar."),
        ],
        responses=CalendarEventSerializer(many=True),
        description=(
            "At most 100 days at a time. Times without an offset are in the site's time zone. "
            "A colleague's or a team's calendar you may not open answers 404."
        ),
    )
    def get(self, request):
        params = request.query_params
        whose = whose_calendar(request.user, user_id=params.get("user"), team_id=params.get("team"))
        try:
            start, end = parse_window(params.get("start"), params.get("end"))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(calendar_events(request.user, whose=whose, start=start, end=end))
