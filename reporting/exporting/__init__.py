"""Every file we hand out: the long form and the report layout, escaped.

The admin, the commands and the summary page's downloads call these.
"""

from reporting.exporting.escaping import escape_cell, escape_row
from reporting.exporting.longform import export_long
from reporting.exporting.report import export_report_workbook
from reporting.exporting.tables import CONTENT_TYPES, FORMATS, write_table

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "escape_cell",
    "escape_row",
    "export_long",
    "export_report_workbook",
    "write_table",
]
