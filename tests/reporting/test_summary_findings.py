"""Staff see the year's data-quality findings on the summary; leadership does not.

The findings themselves come from reporting.findings (another issue); these
tests stand a small module in for it to check the page's side of the contract:
``year_findings(fiscal_year)`` returns items with a message, an admin link and,
optionally, the unit they concern.
"""

import sys
import types
from dataclasses import dataclass

import pytest
from django.urls import reverse

SUMMARY = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})


@dataclass
class StandIn:
    message: str
    admin_url: str
    unit_code: str | None


@pytest.fixture
def findings_module(monkeypatch):
    module = types.ModuleType("reporting.findings")
    seen = []

    def year_findings(fiscal_year):
        seen.append(fiscal_year)
        return [
            StandIn("AUTO suspects charged: quarters do not add up to the year", "/x/1/", "AUTO"),
            StandIn("Fiscal year 2023-24 has no Q4 import yet", "/x/2/", None),
        ]

    module.year_findings = year_findings
    monkeypatch.setitem(sys.modules, "reporting.findings", module)
    return seen


@pytest.mark.parametrize("role", ["administrator", "clerk"])
def test_staff_see_findings_as_footnotes_linking_to_the_admin(
    client, dataset, findings_module, request, role
):
    client.force_login(request.getfixturevalue(role))
    page = client.get(SUMMARY).content.decode()
    assert findings_module == ["2023-24"]
    auto = page[page.index('id="unit-AUTO"') :]
    auto = auto[: auto.index("</section>")]
    assert '<a href="/x/1/">AUTO suspects charged: quarters do not add up to the year</a>' in auto
    assert '<a href="/x/2/">Fiscal year 2023-24 has no Q4 import yet</a>' in page
    assert "Staff only" in page


def test_leadership_does_not_see_findings(client, dataset, findings_module, leader):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert findings_module == []
    assert "quarters do not add up" not in page
    assert "Data-quality findings" not in page


def test_the_page_works_without_the_findings_module(client, dataset, clerk, monkeypatch):
    monkeypatch.setitem(sys.modules, "reporting.findings", None)  # import raises ImportError
    client.force_login(clerk)
    response = client.get(SUMMARY)
    assert response.status_code == 200
    assert "Data-quality findings" not in response.content.decode()
