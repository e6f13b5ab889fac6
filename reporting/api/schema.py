"""The OpenAPI schema: every operation also documents the errors it can answer."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from reporting.api.serializers import ErrorSerializer, ValidationErrorSerializer

ERRORS = {
    "400": OpenApiResponse(ValidationErrorSerializer, "Invalid data or query parameters."),
    "401": OpenApiResponse(ErrorSerializer, "Not authenticated (no or a wrong token)."),
    "403": OpenApiResponse(ErrorSerializer, "Authenticated, but without the permission."),
    "404": OpenApiResponse(ErrorSerializer, "No such object, or no such page."),
    "409": OpenApiResponse(ErrorSerializer, "The fiscal year is locked (published)."),
    "429": OpenApiResponse(ErrorSerializer, "Too many requests; retry later."),
}
WRITE_ONLY = {"409"}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in ERRORS.items():
            if code in responses or (code in WRITE_ONLY and self.method in ("GET", "HEAD")):
                continue
            responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
