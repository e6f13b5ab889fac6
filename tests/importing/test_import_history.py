"""An import's history: one record a written figure, exactly as the figure now
stands, with the import's user, reason and moment (written by the database
from the rows just written, not built a Python object a row)."""

from datetime import timedelta
from decimal import Decimal

from reporting.importing.longform import COLUMNS
from reporting.models import Figure, ImportBatch
from reporting.services import import_file
from tests.importing.helpers import long_csv

TRACKED = [field.attname for field in Figure.history.model.tracked_fields]


def test_each_written_figure_gets_one_history_record_equal_to_it(dataset, clerk):
    rows = [
        ("ICE", "file-intakes", "2023-24", "Q1", "", "681", "recounted", "Revised"),  # changed
        ("ICE", "file-intakes", "2023-24", "Q2", "", "872", "", ""),  # unchanged (seed)
        ("ICE", "file-intakes", "2022-23", "Q1", "", "700", "first", ""),  # new
        ("ICE", "file-intakes", "2022-23", "Q2", "", "12,345", "", ""),  # new
    ]
    before = Figure.history.count()
    outcome = import_file(
        content=long_csv(*rows, headings=COLUMNS),
        file_name="quarter.csv",
        user=clerk,
        source=ImportBatch.Source.ADMIN,
    )
    assert outcome.written, outcome.summary()
    assert (outcome.counts["new"], outcome.counts["update"]) == (2, 1)
    assert Figure.history.count() == before + 3  # the unchanged figure gets none

    batch = outcome.batch
    for figure in Figure.objects.filter(import_batch=batch):
        record = figure.history.latest()
        assert {name: getattr(record, name) for name in TRACKED} == {
            name: getattr(figure, name) for name in TRACKED
        }
        assert record.history_user == clerk
        assert record.history_change_reason == f"import #{batch.pk}: quarter.csv"
        assert abs(record.history_date - figure.updated_at) < timedelta(seconds=5)
        created = figure.period.fiscal_year.label == "2022-23"
        assert record.history_type == ("+" if created else "~")
        assert figure.history.count() == (1 if created else 2)  # the seed's, then this
    changed = Figure.objects.get(import_batch=batch, period__fiscal_year__label="2023-24")
    assert (changed.value, changed.note, changed.public_note) == (
        Decimal("681.00"),
        "recounted",
        "Revised",
    )
    previous = changed.history.earliest()
    assert previous.value == Decimal("680.00")  # the seed's record stands as it was


def test_a_command_import_records_no_user(dataset):
    outcome = import_file(
        content=long_csv(("ICE", "file-intakes", "2021-22", "Q3", "", "5", "", "")),
        file_name="cmd.csv",
        source=ImportBatch.Source.COMMAND,
    )
    assert outcome.written
    record = Figure.objects.get(import_batch=outcome.batch).history.get()
    assert record.history_user is None and record.history_type == "+"
