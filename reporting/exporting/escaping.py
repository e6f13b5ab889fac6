"""Formula-injection escaping, applied to every file we write.

A spreadsheet treats a text cell beginning with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, a tab, a carriage return or a NUL) as a formula. Such
text gets a leading apostrophe so that it stays inert text (OWASP ASVS 5.0
V1.2.10). Numbers are never touched: a negative number is a number, not text.
"""

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def escape_cell(value: object) -> object:
    """The value to write in a cell: text made inert, anything else as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def escape_row(values) -> list[object]:
    return [escape_cell(value) for value in values]
