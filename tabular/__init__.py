"""Tables in files: CSV, XLSX and JSON read within bounds, and written escaped.

Knows no app and no model (an import-linter contract in pyproject.toml says
so), so that the catalogue's admin and the figures' import and export both
use it while ``units`` never reaches ``reporting``.
"""
