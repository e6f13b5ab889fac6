"""Two app servers over one database and one cache agree on everything.

Two real gunicorn instances on two loopback ports, both pointed at this
test's PostgreSQL database and the shared Redis (REDIS_URL), as two hosts
behind a load balancer would be. A session, an import's held file, the
summary, the API's throttle counts and the sign-in lockouts started on one
are seen by the other.
"""

import pytest
import requests
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from reporting.models import Figure
from tests.importing.helpers import long_csv
from tests.reliability.conditions import postgresql_only
from tests.reliability.services import PASSWORD, Gunicorn, confirm_fields, csrf_token, sign_in

API_RATE = 6  # requests a minute per user, across both servers
LOCKOUT_AFTER = 3  # failed sign-ins

pytestmark = [
    postgresql_only,
    pytest.mark.skipif(
        not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
        reason="needs the shared cache (run with REDIS_URL=redis://...; CI does)",
    ),
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    """This test's database (test_...), which the servers must use too."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def servers(dataset, tmp_path):
    pair = [
        Gunicorn(
            tmp_path / f"server-{name}.log",
            database_url=database_url(),
            ALERT_API_USER_RATE=f"{API_RATE}/minute",
            DJANGO_AXES_FAILURE_LIMIT=str(LOCKOUT_AFTER),
        )
        for name in "ab"
    ]
    try:
        for server in pair:
            server.wait_until_up()
        yield pair
    finally:
        for server in pair:
            server.stop()


def test_a_session_signed_in_on_one_server_works_on_the_other(servers, administrator):
    a, b = servers
    browser = requests.Session()
    assert sign_in(browser, a.base, "alice", PASSWORD).status_code == 302
    page = browser.get(b.base + "/admin/", allow_redirects=False)
    assert page.status_code == 200
    assert "alice" in page.text


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(servers, administrator):
    a, b = servers
    browser = requests.Session()
    assert sign_in(browser, a.base, "alice", PASSWORD).status_code == 302
    page = a.base + "/admin/reporting/figure/import/"
    token = csrf_token(browser, page)
    content = long_csv(["ICE", "file-intakes", "2023-24", "Q1", "", "4321", "two servers"])
    preview = browser.post(
        page,
        data={"csrfmiddlewaretoken": token, "format": "0"},
        files={"import_file": ("q1.csv", content, "text/csv")},
        headers={"Referer": page},
    )
    assert preview.status_code == 200
    fields = confirm_fields(preview.text)
    assert not Figure.objects.filter(note="two servers").exists()  # a preview writes nothing

    confirmed = browser.post(
        b.base + "/admin/reporting/figure/process_import/",
        data=fields,
        headers={"Referer": b.base + "/admin/reporting/figure/import/"},
        allow_redirects=False,
    )

    assert confirmed.status_code == 302, confirmed.text[:2000]
    figure = Figure.objects.get(note="two servers")
    assert figure.value == 4321


def test_a_change_through_one_server_shows_on_the_others_summary_at_once(
    servers, administrator, leader
):
    a, b = servers
    reader = requests.Session()
    assert sign_in(reader, b.base, "carol", PASSWORD).status_code == 302
    summary = b.base + "/reports/2023-24/"
    assert "98,765" not in reader.get(summary).text  # rendered, and now cached
    figure = Figure.objects.get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period="Q1",
        region=None,
    )
    token = Token.objects.create(user=administrator)

    changed = requests.patch(
        f"{a.base}/api/v1/figures/{figure.pk}/",
        json={"value": "98765"},
        headers={"Authorization": f"Token {token.key}"},
    )

    assert changed.status_code == 200, changed.text
    assert "98,765" in reader.get(summary).text


def test_throttle_counts_and_sign_in_lockouts_count_across_both_servers(
    servers, administrator, leader
):
    a, b = servers
    token = Token.objects.create(user=leader)
    api = {"headers": {"Authorization": f"Token {token.key}"}}
    answers = [
        requests.get(f"{server.base}/api/v1/regions/", **api).status_code
        for server in [a, b] * (API_RATE // 2)
    ]
    assert answers == [200] * API_RATE
    assert requests.get(f"{a.base}/api/v1/regions/", **api).status_code == 429
    assert requests.get(f"{b.base}/api/v1/regions/", **api).status_code == 429

    for attempt in range(LOCKOUT_AFTER):
        server = (a, b)[attempt % 2]
        refused = sign_in(requests.Session(), server.base, "alice", "wrong password")
        assert refused.status_code in (200, 429)  # the form again, then the lockout
    locked_out = sign_in(requests.Session(), b.base, "alice", PASSWORD)
    assert locked_out.status_code == 429
    assert sign_in(requests.Session(), a.base, "alice", PASSWORD).status_code == 429
