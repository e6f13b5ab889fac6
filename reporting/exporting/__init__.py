"""Every file of figures we hand out: the long form and the report layout, escaped.

The admin, the commands and the summary page's downloads call these; the
writing itself (formats, escaping) is ``tabular``'s.
"""

from reporting.exporting.longform import export_long
from reporting.exporting.report import export_report_workbook

__all__ = ["export_long", "export_report_workbook"]
