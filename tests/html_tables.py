"""Reads the tables of a rendered page back into plain text, as a reader sees them.

Footnote markers (<sup>) are left out of the cells' text, and flags such as
"partial" (<span class="flag">) are reported separately.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser


@dataclass
class Cell:
    tag: str
    text: str = ""
    flags: list[str] = field(default_factory=list)
    scope: str | None = None


@dataclass
class Table:
    id: str
    caption: str = ""
    rows: list[list[Cell]] = field(default_factory=list)

    def body(self) -> dict[str, list[Cell]]:
        """Rows keyed by their row header, header row left out."""
        return {row[0].text: row[1:] for row in self.rows if row and row[0].scope == "row"}

    def header(self) -> list[str]:
        return [cell.text for cell in self.rows[0]]


class _TableReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, Table] = {}
        self.table: Table | None = None
        self.cell: Cell | None = None
        self.in_caption = False
        self.skip_depth = 0  # inside <sup>
        self.flag: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = Table(id=attrs.get("id", ""))
            self.tables[self.table.id] = self.table
        elif self.table is None:
            return
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr":
            self.table.rows.append([])
        elif tag in {"td", "th"}:
            self.cell = Cell(tag=tag, scope=attrs.get("scope"))
            self.table.rows[-1].append(self.cell)
        elif tag == "sup":
            self.skip_depth += 1
        elif tag == "span" and "flag" in (attrs.get("class") or "").split():
            self.flag = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag == "caption":
            self.in_caption = False
        elif tag in {"td", "th"} and self.cell is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.cell = None
        elif tag == "sup":
            self.skip_depth -= 1
        elif tag == "span" and self.flag is not None and self.cell is not None:
            self.cell.flags.append("".join(self.flag).strip())
            self.flag = None

    def handle_data(self, data):
        if self.table is None:
            return
        if self.in_caption:
            self.table.caption += data
        elif self.flag is not None:
            self.flag.append(data)
        elif self.cell is not None and not self.skip_depth:
            self.cell.text += data


def read_tables(html: str) -> dict[str, Table]:
    reader = _TableReader()
    reader.feed(html)
    return reader.tables


def amount(text: str) -> Decimal | None:
    """A printed figure as a number; None for the dash of "not reported"."""
    if text == "—":
        return None
    return Decimal(text.replace("$", "").replace(",", ""))
