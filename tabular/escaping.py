"""Formula-injection escaping, applied to every file we write.

A spreadsheet treats a text cell beginning with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, a tab, a carriage return or a NUL) as a formula. Such
text gets a leading apostrophe so that it stays inert text (OWASP ASVS 5.0
V1.2.10). Numbers are never touched: a negative number is a number, not text.
"""

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# What a sheet name cannot hold, and its length (Excel's rules; openpyxl
# refuses the characters and Excel refuses a longer name or one quoted at
# either end).
SHEET_NAME_FORBIDDEN = "/\\?*[]:"
SHEET_NAME_MAX_LENGTH = 31


def escape_cell(value: object) -> object:
    """The value to write in a cell: text made inert, anything else as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def escape_row(values) -> list[object]:
    return [escape_cell(value) for value in values]


def sheet_title(name: str) -> str:
    """A sheet name Excel, LibreOffice and openpyxl all accept.

    Unit codes are validated to be such names already (units.models), so this
    changes nothing the importer needs to find; it keeps a workbook
    downloadable even if a name ever slips through.
    """
    title = "".join("_" if c in SHEET_NAME_FORBIDDEN or not c.isprintable() else c for c in name)
    title = title[:SHEET_NAME_MAX_LENGTH].strip("'")
    return title or "Sheet"
