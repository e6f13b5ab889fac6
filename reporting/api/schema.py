"""The OpenAPI schema: every operation also documents the errors it can answer.

The serializers here only describe responses that the views build
themselves (errors, the bulk upsert's result); nothing serializes with them.
"""

from django.conf import settings
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from reporting.importing.pipeline import Action


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Field name -> list of messages; or detail and errors (bulk upsert).",
    }
)
class _AnyObject(serializers.Field):
    pass


class ValidationErrorSerializer(serializers.Serializer):
    """400: per-field messages, e.g. {"value": ["“12.5” is not a whole number…"]}."""

    errors = _AnyObject(required=False)


# --- Bulk upsert --------------------------------------------------------------------------


class BulkRowResultSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Position in the list, counting from 1.")
    action = serializers.ChoiceField(choices=[action.value for action in Action])
    remark = serializers.CharField()


class BulkCountsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skip = serializers.IntegerField()
    error = serializers.IntegerField()


class BulkResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text="The import record (ImportBatch) of this request.")
    dry_run = serializers.BooleanField()
    written = serializers.BooleanField()
    summary = serializers.CharField()
    counts = BulkCountsSerializer()
    rows = BulkRowResultSerializer(many=True)


class BulkErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Position in the list, counting from 1.")
    field = serializers.CharField()
    message = serializers.CharField()


class BulkRejectionSerializer(serializers.Serializer):
    """Nothing was written. ``errors`` lists every problem with its row and
    field; a request refused before its rows were read (not JSON, not a list,
    too long) has ``detail`` only."""

    detail = serializers.CharField()
    batch = serializers.IntegerField(
        allow_null=True, required=False, help_text="The import record, when one was made."
    )
    errors = BulkErrorSerializer(many=True, required=False)


ERRORS = {
    "400": OpenApiResponse(ValidationErrorSerializer, "Invalid data or query parameters."),
    "401": OpenApiResponse(ErrorSerializer, "Not authenticated (no or a wrong token)."),
    "403": OpenApiResponse(ErrorSerializer, "Authenticated, but without the permission."),
    "404": OpenApiResponse(ErrorSerializer, "No such object, or no such page."),
    "409": OpenApiResponse(
        ErrorSerializer,
        "Refused by the records' rules: the fiscal year is locked (published), the "
        "unit's quarter is submitted or approved, or (create) the figure is already on record.",
    ),
    "412": OpenApiResponse(
        ErrorSerializer,
        "The figure changed since the ETag sent in If-Match: GET it again and decide.",
    ),
    "413": OpenApiResponse(
        ErrorSerializer,
        f"The request body is over the limit ({settings.ALERT_IMPORT_MAX_BYTES:,} bytes, "
        "ALERT_IMPORT_MAX_BYTES): send fewer figures a request.",
    ),
    "429": OpenApiResponse(ErrorSerializer, "Too many requests; retry later."),
}
# The methods each answer can come from (the others: every method).
ONLY_FOR = {
    "409": {"POST", "PUT", "PATCH", "DELETE"},
    "412": {"PUT", "PATCH", "DELETE"},  # If-Match
    "413": {"POST", "PUT", "PATCH"},  # a body
}


class AutoSchema(SpectacularAutoSchema):
    def _get_request_for_media_type(self, serializer, direction="request"):
        # A list's length limit (the bulk upsert's ALERT_API_BULK_MAX_ROWS),
        # which drf-spectacular leaves out, is stated as maxItems.
        schema, required = super()._get_request_for_media_type(serializer, direction)
        limit = getattr(serializer, "max_length", None)
        if isinstance(serializer, serializers.ListSerializer) and limit and schema:
            schema = {**schema, "maxItems": limit}
        return schema, required

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in ERRORS.items():
            if code in responses or self.method not in ONLY_FOR.get(code, {self.method}):
                continue
            responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
