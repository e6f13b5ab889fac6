"""The one JSON reader: files in the admin and the command, and API bodies.

Python's own ``json.loads``, with a budget: the text under the upload limit
(``ALERT_IMPORT_MAX_BYTES``), numbers with a fraction read as ``Decimal``
(never a float: 99999999999999.99 stays itself), NaN and Infinity refused,
at most ``MAX_KEYS`` keys in an object, a key given twice in one object
refused with its line (``json.loads`` would keep the last silently), and at
most ``MAX_DEPTH`` lists or objects inside one another. Deep nesting is
refused whether ``json`` itself stops at it (a ``RecursionError``, caught
here and never raised further) or the depth check after decoding finds it.
"""

import json
import re
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings

MAX_DEPTH = 10  # a file is a list of flat objects (2); the bulk API, 3
MAX_KEYS = 100  # in one object; a figure has fewer than 15


class RefusedJSON(ValueError):
    """The text is not JSON within the budget; the message names the limit or the place."""

    def __init__(self, message: str, *, limit: str = "") -> None:
        super().__init__(message)
        self.limit = limit  # "size", "depth", "keys", "duplicate key" or "" (not JSON)


class _DuplicateKey(Exception):
    def __init__(self, key: str, closed: int) -> None:
        self.key, self.closed = key, closed


class _TooManyKeys(Exception):
    def __init__(self, count: int) -> None:
        self.count = count


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(
    text: str,
    *,
    make_object: Callable[[list[tuple[str, object]]], object] = dict,
    exact_integers: bool = False,
) -> object:
    """Decode ``text`` within the budget, or raise ``RefusedJSON``.

    ``make_object`` turns each object's (key, value) pairs, already checked,
    into what the caller keeps (a dict by default; the file reader keeps a
    row). ``exact_integers`` reads integers as ``Decimal`` too."""
    limit = settings.ALERT_IMPORT_MAX_BYTES
    if len(text) > limit:  # characters: never fewer than the bytes they came from
        raise RefusedJSON(
            f"The JSON text holds {len(text):,} characters; the limit is {limit:,} bytes.",
            limit="size",
        )
    closed = 0

    def checked_object(pairs: list[tuple[str, object]]) -> object:
        nonlocal closed
        closed += 1
        if len(pairs) > MAX_KEYS:
            raise _TooManyKeys(len(pairs))
        if len(pairs) > 1:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise _DuplicateKey(key, closed)
                seen.add(key)
        return make_object(pairs)

    try:
        value = json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal if exact_integers else None,
            parse_constant=_no_constant,
            object_pairs_hook=checked_object,
        )
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as exc:
        raise RefusedJSON(
            f"The text is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    except _TooManyKeys as exc:
        raise RefusedJSON(
            f"An object has {exc.count:,} keys; an object may have at most {MAX_KEYS}.",
            limit="keys",
        ) from None
    except _DuplicateKey as exc:
        raise RefusedJSON(
            f"Line {_line_of_duplicate(text, exc.key, exc.closed):,}: the key “{exc.key[:40]}” "
            "is given twice in one object; keep one of them.",
            limit="duplicate key",
        ) from None
    except ValueError as exc:  # NaN, or an integer of thousands of digits
        raise RefusedJSON(f"The text is not JSON we accept: {exc}.") from exc
    _check_depth(value)
    return value


def _too_deep() -> RefusedJSON:
    return RefusedJSON(
        f"The JSON is nested too deeply (lists or objects inside one another); at most "
        f"{MAX_DEPTH} levels are accepted.",
        limit="depth",
    )


def _check_depth(value: object) -> None:
    """Level by level, looking only inside lists and objects: a list of flat
    objects costs one pass over its values."""
    level = [value] if isinstance(value, list | dict | tuple) else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise _too_deep()
        inner = []
        for container in level:
            items = container.values() if isinstance(container, dict) else container
            inner.extend(item for item in items if isinstance(item, list | dict | tuple))
        level = inner


# A string literal or a closing brace: objects close in the order of their "}".
_STRING_OR_CLOSE = re.compile(r'"(?:[^"\\]|\\.)*"|\}', re.S)


def _line_of_duplicate(text: str, key: str, closed: int) -> int:
    """The line of the second ``key`` in the ``closed``-th object to close
    (only ever computed for a refusal): the last time the key is written
    before that object's closing brace."""
    end, seen = len(text), 0
    for match in _STRING_OR_CLOSE.finditer(text):
        if match.group() == "}":
            seen += 1
            if seen == closed:
                end = match.start()
                break
    written = [
        m.start()
        for m in re.finditer(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:", text[:end])
    ] or [end]
    return text.count("\n", 0, written[-1]) + 1
