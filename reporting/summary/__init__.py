"""The annual summary: built once as plain data (``build``), drawn as charts
(``charts``), laid out for the page (``presentation``) and served by the
leadership pages (``views``)."""

from reporting.summary.build import AnnualSummary, build_summary

__all__ = ["AnnualSummary", "build_summary"]
