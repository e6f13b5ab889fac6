import codecs
import json
from decimal import Decimal

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant


class ExactJSONParser(JSONParser):
    """JSON whose numbers with a fraction are read as Decimal, never float.

    ``0.1`` stays exactly 0.1 on its way to ``parse_value``; NaN and Infinity
    are refused.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            decoded = codecs.getreader(encoding)(stream)
            return json.load(decoded, parse_float=Decimal, parse_constant=strict_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
