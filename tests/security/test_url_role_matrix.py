"""Every URL of the project × every role, on records where the role table
draws a line: the clerk is assigned to ICE only, and every id in a URL names
a record of CFSEU (its figure, that figure's history, its unit-quarter, an
import that wrote it, its grid). The URLs come from the resolver, so a page
added later is walked too.

Asserted for each (URL, role): never a server error, and never a page
outside the README's role table (tests/reporting/test_role_table.py checks
each cell of it through the real paths):

* anonymous readers and accounts with no role get nothing beyond the
  public pages and their own account pages;
* the ICE clerk gets no page of a CFSEU record, and no page at all shows
  them CFSEU's internal note, return comment or import;
* leadership and administrators read everything, and nobody gets a 500.
"""

import fnmatch

import pytest
from django.test import Client

from reporting import services
from reporting.models import Figure, FiscalYear, ImportBatch, UnitQuarter
from tests.security.test_url_walk import SAMPLE_ARGUMENTS
from tests.security.urlwalk import admin_model_for, all_patterns, build_path
from units.models import Unit

ROLES = ["anonymous", "outsider", "leader", "clerk", "administrator"]

# Pages anyone may load, signed in or not (by URL name, shell-style).
PUBLIC = [
    "health",
    "favicon",
    "<>",  # / redirects to the summary
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "admin_password_reset",
    "password_reset*",
]
# A signed-in person's own account pages, whatever their role.
ACCOUNT = ["admin:index", "admin:password_change*", "admin:jsi18n"]

# What only a reader of CFSEU may see, planted on CFSEU's records.
NOTE = "CFSEU-only internal note"
COMMENT = "CFSEU-only return comment"
FILE_NAME = "CFSEU-only-import.csv"
MARKERS = [NOTE, COMMENT, FILE_NAME]

# The models whose records belong to a unit, and the URL keywords that name one.
SCOPED_MODELS = {Figure, Figure.history.model, UnitQuarter, ImportBatch}
ID_KEYWORDS = {"object_id", "arg0", "arg1", "pk", "id", "unit_id", "version_id", "history_id"}


def matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


@pytest.fixture
def cfseu_world(dataset, administrator, clerk, leader, outsider):
    """CFSEU's records with a marker each; the clerk assigned to ICE only."""
    clerk.user_permissions.clear()  # no "every unit" box: assigned units only
    Unit.objects.get(code="ICE").data_entry_users.add(clerk)
    cfseu = Unit.objects.get(code="CFSEU")
    year = FiscalYear.objects.get(label="2023-24")
    figure = Figure.objects.for_unit(cfseu).for_year(year).unit_wide().with_keys().first()
    services.record_figure(
        metric=figure.metric,
        period=figure.period,
        value=figure.value,
        note=NOTE,
        user=administrator,
    )
    row = (
        "unit,metric,fiscal_year,period,value\n"
        f"CFSEU,{figure.metric.code},2023-24,{figure.period.period},{figure.value + 1}\n"
    )
    services.import_file(
        content=row.encode(), file_name=FILE_NAME, user=administrator, source="command"
    )
    quarter = {"unit": cfseu, "fiscal_year": year, "quarter": "Q1", "user": administrator}
    services.move_quarter(action="submit", **quarter)
    services.move_quarter(action="return", text=COMMENT, **quarter)
    figure = Figure.objects.get(pk=figure.pk)
    records = {
        Figure: figure,
        Figure.history.model: figure.history.order_by("-history_id").first(),
        UnitQuarter: UnitQuarter.objects.get(unit=cfseu, fiscal_year=year, quarter="Q1"),
        ImportBatch: ImportBatch.objects.get(file_name=FILE_NAME),
    }
    cast = {
        "anonymous": None,
        "outsider": outsider,
        "leader": leader,
        "clerk": clerk,
        "administrator": administrator,
    }
    return cast, records


def cfseu_path(url, records) -> tuple[str, bool]:
    """The URL with its ids naming CFSEU's records, and whether it names one."""
    model = admin_model_for(url.name)
    figure = records[Figure]
    samples = dict(SAMPLE_ARGUMENTS)
    names_cfseu = model in SCOPED_MODELS and bool({"object_id", "arg0"} & set(url.keywords))
    if model is not None and hasattr(records.get(model), "history"):
        history = records[model].history.order_by("pk").first()
        samples["arg1"] = str(history.pk)
    if url.name.startswith("api:figure-") and "pk" in url.keywords:
        samples["pk"] = str(figure.pk)
        names_cfseu = True
    if "unit_id" in url.keywords:
        samples["unit_id"] = str(figure.metric.unit_id)
        names_cfseu = True
    return build_path(url, samples, objects=records), names_cfseu


def judge(role: str, name: str, names_cfseu: bool, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if not 200 <= status < 300:
        return None
    if role in ("anonymous", "outsider"):
        allowed = PUBLIC + (ACCOUNT if role == "outsider" else [])
        return None if matches(name, allowed) else f"{status}: a page outside the role table"
    if role == "clerk":
        if names_cfseu:
            return f"{status}: a page of a CFSEU record for the ICE clerk"
        content = response.content.decode("utf-8", "replace") if response.content else ""
        shown = [marker for marker in MARKERS if marker in content]
        if shown:
            return f"{status}: shows the ICE clerk CFSEU's {', '.join(shown)}"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_url_as_every_role_stays_inside_the_role_table(role, cfseu_world):
    cast, records = cfseu_world
    user = cast[role]
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    failures, walked = [], 0
    for url in all_patterns():
        if any(k not in SAMPLE_ARGUMENTS for k in url.keywords) or url.name in (
            "admin:logout",
            "logout",
        ):
            continue  # the URL walk reports a keyword without a sample
        path, names_cfseu = cfseu_path(url, records)
        response = client.get(path)
        walked += 1
        if problem := judge(role, url.name, names_cfseu, response):
            failures.append(f"GET {path} ({url.name}) as {role}: {problem}")
    assert walked > 100
    assert not failures, "\n".join(failures)


def test_the_markers_are_there_for_those_who_may_read_cfseu(cfseu_world):
    """The walk above cannot pass by accident: leadership does see the markers."""
    from django.urls import reverse

    cast, records = cfseu_world
    client = Client()
    client.force_login(cast["leader"])
    year = FiscalYear.objects.get(label="2023-24")
    findings = client.get(reverse("admin:reporting_findings"), {"fiscal_year": year.pk})
    assert NOTE in findings.content.decode()
    batches = client.get(reverse("admin:reporting_importbatch_changelist"))
    assert FILE_NAME in batches.content.decode()
    quarter = client.get(
        reverse("admin:reporting_unitquarter_change", args=[records[UnitQuarter].pk])
    )
    assert COMMENT in quarter.content.decode()
