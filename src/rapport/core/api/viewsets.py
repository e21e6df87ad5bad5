"""Base API viewsets: scoped querysets, ETag / If-Match, and writes through services."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from rapport.core import scoping
from rapport.core.services import etag_for

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ScopedViewSetMixin:
    """``get_queryset`` is always ``Model.objects.restrict(user, action)``; missing == 404."""

    model = None

    def scope_action(self) -> str:
        return scoping.CHANGE if self.request.method in WRITE_METHODS else scoping.VIEW

    def base_queryset(self) -> QuerySet:
        return self.model.objects.all()

    def get_queryset(self) -> QuerySet:
        return self.base_queryset().restrict(self.request.user, self.scope_action())


class ETagMixin:
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def if_match(self) -> str | None:
        return self.request.headers.get("If-Match")


class ServiceModelViewSet(
    ScopedViewSetMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD where create/update/delete call the app's services (subclasses implement them)."""

    def perform_create(self, serializer):
        serializer.instance = self.service_create(serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.service_update(
            serializer.instance, serializer.validated_data, if_match=self.if_match()
        )

    def perform_destroy(self, instance):
        self.service_delete(instance, if_match=self.if_match())

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        instance = self.get_queryset().model.objects.get(pk=response.data["id"])
        response["ETag"] = etag_for(instance)
        return response

    def service_create(self, data):
        raise NotImplementedError

    def service_update(self, instance, data, *, if_match=None):
        raise NotImplementedError

    def service_delete(self, instance, *, if_match=None):
        raise NotImplementedError


class ScopedReadOnlyViewSet(
    ScopedViewSetMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    pass


class AdministeredViewSet(
    ScopedReadOnlyViewSet,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Configuration everyone may read (unless narrowed) and administrators change, through a
    save service and a delete service taking ``(actor, instance)``."""

    save_service = None
    delete_service = None

    @staticmethod
    def required_role(user) -> bool:
        return user.is_administrator

    def perform_create(self, serializer):
        instance = self.model(**serializer.validated_data)
        serializer.instance = type(self).save_service(self.request.user, instance)

    def perform_update(self, serializer):
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        serializer.instance = type(self).save_service(self.request.user, instance)

    def perform_destroy(self, instance):
        type(self).delete_service(self.request.user, instance)
