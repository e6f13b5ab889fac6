"""Errors of the API: a locked year is a conflict (409), bad data a 400."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from reporting.models import YearLocked


class YearIsLocked(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The fiscal year is locked (published)."
    default_code = "locked"


def field_errors(exc: DjangoValidationError, field: str = "value") -> ValidationError:
    """A model or service ValidationError as DRF's per-field 400; messages
    that name no field belong to ``field``."""
    if hasattr(exc, "error_dict"):
        return ValidationError(as_serializer_error(exc))
    return ValidationError({field: exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, YearLocked):
        exc = YearIsLocked(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        exc = field_errors(exc)
    return drf_exception_handler(exc, context)
