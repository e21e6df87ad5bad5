"""One error format for the API: {"code", "detail", "fields"}, translated per Accept-Language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from rapport.core.errors import DomainError, NotFound, OutOfScope, StaleWrite


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    return {}


def _first_message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        non_field = fields.pop("__all__", None) if fields else None
        detail = (non_field or exc.messages or [_("Invalid input.")])[0]
        if fields:
            detail = _("Some fields are not valid.")
        return Response(
            {"code": "invalid", "detail": detail, "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, StaleWrite):
        return Response({"code": exc.code, "detail": str(exc.message), "fields": {}}, status=412)
    if isinstance(exc, NotFound | Http404):
        return Response({"code": "not_found", "detail": _("Not found."), "fields": {}}, status=404)
    if isinstance(exc, OutOfScope):
        return Response({"code": exc.code, "detail": str(exc.message), "fields": {}}, status=403)
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": str(exc.message), "fields": {}}, status=400)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(data) if isinstance(data, dict) else {}
        non_field = fields.pop("non_field_errors", None)
        detail = (
            non_field[0]
            if non_field
            else (_("Some fields are not valid.") if fields else _first_message(data))
        )
        response.data = {"code": "invalid", "detail": detail, "fields": fields}
    else:
        code = getattr(exc, "default_code", "error")
        if isinstance(exc, exceptions.APIException):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else code
        response.data = {"code": code, "detail": _first_message(data), "fields": {}}
    return response
