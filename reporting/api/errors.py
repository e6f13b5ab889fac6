"""Errors of the API, mapped in one place: a locked year or a frozen (submitted
or approved) quarter is a conflict (409), a figure already on record a
conflict naming it (409), a
change made from a stale copy a failed precondition (412), bad data a 400.
Views raise or return problems; they never choose a status."""

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from reporting.importing.pipeline import ProblemCode
from reporting.models import FigureExists, QuarterFrozen, StaleFigure, YearLocked

# The status each import problem answers with. A unit the user is not
# assigned to is refused like bad data (400), as it always has been.
PROBLEM_STATUS: dict[ProblemCode, int] = {
    code: status.HTTP_400_BAD_REQUEST for code in ProblemCode
} | {
    ProblemCode.LOCKED: status.HTTP_409_CONFLICT,
    ProblemCode.QUARTER_APPROVED: status.HTTP_409_CONFLICT,
    ProblemCode.QUARTER_SUBMITTED: status.HTTP_409_CONFLICT,
}


class YearIsLocked(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The fiscal year is locked (published)."
    default_code = "locked"


class QuarterIsFrozen(APIException):
    """A submitted (code ``quarter_submitted``) or approved (``quarter_approved``) quarter."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The unit's quarter is approved: an administrator reopens it first."
    default_code = "quarter_approved"


def status_for_problems(codes: Iterable[ProblemCode]) -> int:
    """One status for a rejected import: the status its problems share, else 400.

    So a request refused only because its years are locked is a 409, and one
    that also has bad rows is a 400 (fixing the rows would not be enough).
    """
    statuses = {PROBLEM_STATUS[code] for code in codes}
    return statuses.pop() if len(statuses) == 1 else status.HTTP_400_BAD_REQUEST


def field_errors(exc: DjangoValidationError, field: str = "value") -> ValidationError:
    """A model or service ValidationError as DRF's per-field 400; messages
    that name no field belong to ``field``, and Django's whole-record errors
    are DRF's ``non_field_errors``."""
    if hasattr(exc, "error_dict"):
        errors = as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        return ValidationError(errors)
    return ValidationError({field: exc.messages})


def stale_answer(exc: StaleFigure) -> Response:
    """412 for a change made from a stale copy, 409 for a create where a figure
    is on record: what happened, by whom, when, and both values, as JSON."""
    code = status.HTTP_409_CONFLICT if isinstance(exc, FigureExists) else 412
    return Response({"detail": exc.messages[0], "code": exc.code, **exc.details}, status=code)


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Django's DATA_UPLOAD_MAX_MEMORY_SIZE (set from ALERT_IMPORT_MAX_BYTES)
        # met while DRF read the body: the documented JSON 413, not an HTML 400.
        from reporting.api.parsers import BodyTooLarge

        exc = BodyTooLarge()
    if isinstance(exc, StaleFigure):
        return stale_answer(exc)
    if isinstance(exc, YearLocked):
        exc = YearIsLocked(exc.messages[0])
    elif isinstance(exc, QuarterFrozen):
        exc = QuarterIsFrozen(exc.messages[0], code=exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = field_errors(exc)
    return drf_exception_handler(exc, context)
