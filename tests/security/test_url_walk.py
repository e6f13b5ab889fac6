"""Walk every URL pattern of the project as each role, and hold each answer
to the table below: no 500 anywhere, nothing shown to anyone who should not
see it, no write accepted from anyone who may not write.

The table is matched by URL name (namespace:name, shell-style wildcards;
the first matching line wins). A URL that no line matches fails the walk:
whoever adds a URL decides here who may see it.
"""

import fnmatch
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.test import Client

from reporting.models import Figure, FiscalYear, ImportBatch
from tests.security.urlwalk import admin_model_for, all_patterns, build_path, sample_object

# What a role may get from a URL. Every outcome also means: never a 5xx.
ANY = "any"  # anything but a server error
OPEN = "open"  # a page anyone may load (GET answers 2xx or redirects)
LOGIN = "login"  # no 2xx: a redirect to the login page, 401, 403, 404 or 405
DENIED = "denied"  # no 2xx for any method
READ = "read"  # GET may succeed; POST/PUT/PATCH/DELETE never answer 2xx
READ_ONLY_FORM = "read-only form"  # READ, and a 2xx page has no Save button
LIST = "list"  # GET may succeed; a POST may re-render the list (no write: see the snapshot check)

ROLES = ["anonymous", "outsider", "leader", "clerk", "administrator"]

# fmt: off
EXPECTED = [
    # URL name                        anonymous  outsider  leader          clerk   administrator
    ("health",                        OPEN,      OPEN,     OPEN,           OPEN,   OPEN),
    ("favicon",                       ANY,       ANY,      ANY,            ANY,    ANY),   # redirects to the static icon
    ("<>",                            ANY,       ANY,      ANY,            ANY,    ANY),   # / redirects
    ("home",                          LOGIN,     DENIED,   READ,           READ,   READ),  # newest summary
    ("login",                         OPEN,      ANY,      ANY,            ANY,    ANY),
    ("logout",                        ANY,       ANY,      ANY,            ANY,    ANY),
    ("admin:login",                   OPEN,      ANY,      ANY,            ANY,    ANY),
    ("admin_password_reset",          OPEN,      ANY,      ANY,            ANY,    ANY),   # password links
    ("password_reset*",               OPEN,      ANY,      ANY,            ANY,    ANY),
    ("admin:logout",                  ANY,       ANY,      ANY,            ANY,    ANY),
    ("admin:password_change*",        LOGIN,     ANY,      ANY,            ANY,    ANY),
    ("admin:index",                   LOGIN,     ANY,      ANY,            ANY,    ANY),
    ("admin:jsi18n",                  LOGIN,     ANY,      ANY,            ANY,    ANY),
    ("admin:autocomplete",            LOGIN,     ANY,      ANY,            ANY,    ANY),
    ("admin:view_on_site",            LOGIN,     ANY,      ANY,            ANY,    ANY),
    # The report's text and published totals: administrators only (the page shows them to all).
    ("admin:reporting_narrativeblock_*", LOGIN,  DENIED,   DENIED,         DENIED, ANY),
    ("admin:reporting_publishedtotal_*", LOGIN,  DENIED,   DENIED,         DENIED, ANY),
    ("admin:app_list",                LOGIN,     DENIED,   LIST,           LIST,   ANY),
    ("admin:<*>",                     LOGIN,     ANY,      ANY,            ANY,    ANY),   # catch-all
    ("admin:*_import",                LOGIN,     DENIED,   DENIED,         ANY,    ANY),
    ("admin:*_process_import",        LOGIN,     DENIED,   DENIED,         ANY,    ANY),
    ("admin:*_export",                LOGIN,     DENIED,   ANY,            ANY,    ANY),
    ("admin:*_add",                   LOGIN,     DENIED,   DENIED,         ANY,    ANY),
    ("admin:*_delete",                LOGIN,     DENIED,   DENIED,         ANY,    ANY),
    ("admin:*_open_next",             LOGIN,     DENIED,   DENIED,         DENIED, ANY),   # open a year
    ("admin:*lock*",                  LOGIN,     DENIED,   DENIED,         DENIED, ANY),
    ("admin:*_change",                LOGIN,     DENIED,   READ_ONLY_FORM, ANY,    ANY),
    ("admin:*_changelist",            LOGIN,     DENIED,   LIST,           LIST,   ANY),
    ("admin:*_history",               LOGIN,     DENIED,   LIST,           LIST,   ANY),
    ("admin:*_simple_history",        LOGIN,     DENIED,   DENIED,         ANY,    ANY),   # revert form
    ("admin:reporting_findings",      LOGIN,     DENIED,   READ,           READ,   READ),
    ("admin:*_report_workbook",       LOGIN,     DENIED,   READ,           READ,   READ),
    ("admin:*",                       LOGIN,     DENIED,   READ,           ANY,    ANY),
    ("reporting:*",                   LOGIN,     DENIED,   READ,           READ,   READ),
    ("series:*",                      LOGIN,     DENIED,   READ,           READ,   READ),   # a metric's series
    # The API's schema, docs and root: for a role, as the figures (403 without one).
    ("api:*schema*",                  LOGIN,     DENIED,   READ,           READ,   READ),
    ("api:*docs*",                    LOGIN,     DENIED,   READ,           READ,   READ),
    ("api:api-root",                  LOGIN,     DENIED,   READ,           READ,   READ),
    ("api:*",                         LOGIN,     DENIED,   READ,           ANY,    ANY),
]
# fmt: on

WRITE_METHODS = ["post"]
API_WRITE_METHODS = ["post", "put", "patch", "delete"]


def _figure_pk(url):
    figure = sample_object(Figure)
    return figure.pk if figure else 1


def _history_id(url):
    model = admin_model_for(url.name) or Figure
    instance = sample_object(model)
    record = instance.history.order_by("pk").first() if hasattr(instance, "history") else None
    return record.pk if record else 1


# Sample arguments by keyword name; a callable is given the URL being walked.
SAMPLE_ARGUMENTS = {
    "object_id": _figure_pk,
    "id": _figure_pk,
    "pk": _figure_pk,
    "version_id": _history_id,
    "arg0": _figure_pk,  # simple-history's unnamed groups: the object ...
    "arg1": _history_id,  # ... and its historical record
    "history_id": _history_id,
    "content_type_id": lambda url: ContentType.objects.get_for_model(Figure).pk,
    "app_label": "reporting",
    "url": "no-such-page/",
    "format": "json",
    "fiscal_year": "2023-24",
    "year": "2023-24",
    "label": "2023-24",
    "number": "1",  # a release of the year
    "unit": "ICE",
    "unit_code": "ICE",
    "code": "ICE",
    "metric": "file-intakes",
    "period": "Q1",
    "region": "Calgary",
    "unit_id": lambda url: sample_object(Figure).metric.unit_id,
    "fiscal_year_id": lambda url: sample_object(Figure).period.fiscal_year_id,
    "uidb64": "MQ",  # a password link: user 1, with a token that is not valid
    "token": "set-password",
    "batch_id": 1,  # an import's list of problems: only its own importer's, else 404
    "held": "no-such-upload",  # a held upload's problems: likewise
}


def expected_for(name: str) -> dict[str, str] | None:
    for pattern, *outcomes in EXPECTED:
        if fnmatch.fnmatchcase(name, pattern):
            return dict(zip(ROLES, outcomes, strict=True))
    return None


def snapshot() -> tuple:
    """Everything a stray write could change, in a few queries."""
    figures = Figure.objects.aggregate(n=Count("pk"), total=Sum("value"))
    return (
        figures["n"],
        figures["total"] or Decimal(0),
        sorted(Figure.objects.values_list("pk", "value", "note")),
        sorted(FiscalYear.objects.values_list("label", "status", "locked_by")),
        ImportBatch.objects.filter(status=ImportBatch.Status.CONFIRMED).count(),
        User.objects.count(),
        sorted(Group.objects.annotate(n=Count("permissions")).values_list("name", "n")),
    )


def judge(outcome: str, method: str, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    success = 200 <= status < 300
    if outcome == ANY:
        return None
    if outcome == OPEN:
        return None if method != "get" or status < 400 else f"{status} for a public page"
    if outcome in (LOGIN, DENIED):
        return f"{status}: should have been refused" if success else None
    if method != "get":
        if outcome == LIST:
            return None
        return f"{status}: a {method.upper()} should have been refused" if success else None
    if outcome == READ_ONLY_FORM and success and b'name="_save"' in response.content:
        return "a change form with a Save button"
    return None


@pytest.fixture
def cast(dataset, administrator, clerk, leader, outsider):
    return {
        "anonymous": None,
        "outsider": outsider,
        "leader": leader,
        "clerk": clerk,
        "administrator": administrator,
    }


def test_every_url_has_a_line_in_the_table():
    unknown = sorted({url.name for url in all_patterns() if expected_for(url.name) is None})
    assert not unknown, (
        "URLs with no line in EXPECTED (tests/security/test_url_walk.py) — "
        f"decide who may see them: {unknown}"
    )


def test_every_url_has_sample_arguments():
    missing = sorted(
        {
            f"{url.name} needs “{keyword}”"
            for url in all_patterns()
            for keyword in url.keywords
            if keyword not in SAMPLE_ARGUMENTS
        }
    )
    assert not missing, f"add sample values to SAMPLE_ARGUMENTS: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_url_as(role, cast):
    user = cast[role]
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)  # once: no URL below ends the session (logout is only GET)
    before = snapshot()
    failures = []
    walked = 0
    for url in all_patterns():
        outcomes = expected_for(url.name)
        if outcomes is None or any(k not in SAMPLE_ARGUMENTS for k in url.keywords):
            continue  # reported by the two tests above
        path = build_path(url, SAMPLE_ARGUMENTS)
        methods = ["get"] + (API_WRITE_METHODS if url.name.startswith("api:") else WRITE_METHODS)
        if url.name in ("admin:logout", "logout"):
            methods = ["get"]  # a POST would end the session for the URLs after it
        for method in methods:
            response = getattr(client, method)(path)
            walked += 1
            problem = judge(outcomes[role], method, response)
            if problem:
                failures.append(f"{method.upper()} {path} ({url.name}) as {role}: {problem}")
    assert walked > 50
    if user is not None:  # still signed in: every answer above was given to this role
        assert client.session.get("_auth_user_id") == str(user.pk)
    assert not failures, "\n".join(failures)
    if role in ("anonymous", "outsider", "leader"):
        assert snapshot() == before, f"{role} changed the records by walking the URLs"


def test_walk_the_figure_urls_as_a_clerk_of_another_unit(cast, clerk):
    """A clerk assigned to units gets no page, history, revert form or API
    answer about a figure of another unit, and never a server error."""
    from units.models import Unit

    figure = sample_object(Figure)
    Unit.objects.exclude(pk=figure.metric.unit_id).first().data_entry_users.add(clerk)
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    before = snapshot()
    failures = []
    walked = [
        url
        for url in all_patterns()
        if url.name.startswith(("admin:reporting_figure_", "api:figure-"))
        and {"object_id", "pk", "arg0", "unit_id"} & set(url.keywords)
    ]
    for url in walked:
        path = build_path(url, SAMPLE_ARGUMENTS)
        methods = ["get"] + (API_WRITE_METHODS if url.name.startswith("api:") else WRITE_METHODS)
        for method in methods:
            status = getattr(client, method)(path).status_code
            if status >= 500 or 200 <= status < 300:
                failures.append(f"{method.upper()} {path} ({url.name}): {status}")
    assert len(walked) >= 5
    assert not failures, "\n".join(failures)
    assert snapshot() == before
