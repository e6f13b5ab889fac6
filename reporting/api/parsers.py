import json
from decimal import Decimal

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class ExactJSONParser(JSONParser):
    """JSON whose numbers with a fraction are read as Decimal, never float.

    ``0.1`` stays exactly 0.1 on its way to ``parse_value``; NaN and Infinity
    are refused. A body over the upload limit (``ALERT_IMPORT_MAX_BYTES``,
    the same as a file's) is refused with 413 after reading one byte past the
    limit, whatever its Content-Length claims.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        limit = settings.ALERT_IMPORT_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BodyTooLarge(
                f"The request body is over the limit of {filesizeformat(limit)}: send the "
                "figures in smaller requests."
            )
        try:
            return json.loads(
                body.decode(encoding), parse_float=Decimal, parse_constant=strict_constant
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
