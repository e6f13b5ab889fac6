"""A figure's columns are one list (``longform.COLUMNS``) that every exchange follows."""

import dataclasses

from reporting.api.serializers import (
    FigureCreateSerializer,
    FigureSerializer,
    LongFormRowSerializer,
)
from reporting.importing.longform import COLUMNS, STATED_COLUMNS, LongFormRow
from reporting.models import Figure
from reporting.resources import FigureResource


def test_a_long_form_row_has_a_field_for_every_column():
    assert set(COLUMNS) <= {field.name for field in dataclasses.fields(LongFormRow)}


def test_the_stated_columns_are_the_figures_own_fields_by_name():
    # The backup and the import snapshots read them from a figure by name.
    assert set(STATED_COLUMNS) <= {field.name for field in Figure._meta.concrete_fields}


def test_the_api_reads_and_shows_exactly_the_long_form_columns():
    assert tuple(LongFormRowSerializer().fields) == COLUMNS
    assert tuple(FigureCreateSerializer().fields) == COLUMNS
    assert set(COLUMNS) <= set(FigureSerializer().fields)


def test_the_import_export_resource_writes_the_long_form_columns(db):
    assert tuple(FigureResource().get_export_headers()) == COLUMNS
