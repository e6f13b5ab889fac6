from django.conf import settings
from django.template.defaultfilters import filesizeformat
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from tabular.jsontext import RefusedJSON, load_json


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        super().__init__(
            f"The request body is over the limit of "
            f"{filesizeformat(settings.ALERT_IMPORT_MAX_BYTES)}: send the figures in smaller "
            "requests."
        )


class ExactJSONParser(JSONParser):
    """JSON through the one reader of the project (``load_json``): numbers
    with a fraction read as Decimal, never float; NaN and Infinity, deep
    nesting, objects of too many keys and a key given twice refused with a
    400 naming the limit (and the line of the key).

    The body's limit is ``ALERT_IMPORT_MAX_BYTES``, the same as a file's, and
    Django's DATA_UPLOAD_MAX_MEMORY_SIZE is set from it: a body with a larger
    Content-Length is refused before it is read (``exception_handler`` turns
    Django's refusal into this 413); one sent without a length, after
    reading one byte past the limit.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        limit = settings.ALERT_IMPORT_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BodyTooLarge()
        try:
            return load_json(body.decode(encoding))
        except UnicodeDecodeError as exc:
            raise ParseError(f"The body is not {encoding} text: {exc.reason}.") from exc
        except RefusedJSON as exc:
            if exc.limit == "size":
                raise BodyTooLarge() from exc
            raise ParseError(str(exc)) from exc
