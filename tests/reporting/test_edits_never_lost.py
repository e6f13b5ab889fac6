"""Property: any interleaving of loads and saves by two people, through the
entry grid and the API, ends with every save either applied or refused to
the person who made it; never a change lost without a word.

The model below knows nothing of versions or ETags: it counts the writes
applied to each figure (``stamp``) and which incarnation of it is on record
(a figure removed and made again is a new one), and each person remembers
what they loaded. A save made from a view older than the record is refused
unless it changes nothing the person did not see.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from reporting import services
from reporting.models import Figure, FiscalYear
from units.models import Metric

PERIODS = ("Q1", "Q2", "Q3")  # ICE's file intakes, 2023-24; Q3 starts empty
PEOPLE = ("alice", "bob")
VALUES = st.sampled_from(["1", "2", "3"])
CHANGE = st.one_of(st.none(), VALUES)  # None: clear the cell / delete the figure


@dataclass
class Record:
    value: Decimal | None
    stamp: int = 0  # writes applied to this key
    incarnation: int = 0  # bumped each time a figure is made at this key


@dataclass
class View:
    seen: dict[str, tuple[int, int, Decimal | None]] = field(default_factory=dict)
    grid_form: dict[str, str] = field(default_factory=dict)
    ids: dict[str, tuple[int, str]] = field(default_factory=dict)  # id and ETag


class _Rollback(Exception):
    pass


operations = st.lists(
    st.one_of(
        st.tuples(st.just("load"), st.sampled_from(PEOPLE)),
        st.tuples(
            st.just("grid"),
            st.sampled_from(PEOPLE),
            st.dictionaries(st.sampled_from(PERIODS), CHANGE, min_size=1, max_size=2),
        ),
        st.tuples(st.just("api"), st.sampled_from(PEOPLE), st.sampled_from(PERIODS), CHANGE),
    ),
    min_size=2,
    max_size=10,
)


class World:
    def __init__(self, alice, bob):
        self.metric = Metric.objects.get(unit__code="ICE", code="file-intakes")
        self.year = FiscalYear.objects.get(label="2023-24")
        self.grid_url = reverse(
            "admin:reporting_figure_grid", args=[self.metric.unit_id, self.year.pk]
        )
        self.people = {}
        for name, user in (("alice", alice), ("bob", bob)):
            browser, api = Client(), APIClient()
            browser.force_login(user)
            api.force_login(user)
            self.people[name] = (browser, api)
        self.record = {p: Record(self.on_record(p)) for p in PERIODS}
        self.views = {name: None for name in PEOPLE}

    def figure(self, period) -> Figure | None:
        return Figure.objects.filter(
            metric=self.metric, period__fiscal_year=self.year, period__period=period, region=None
        ).first()

    def on_record(self, period) -> Decimal | None:
        figure = self.figure(period)
        return figure.value if figure else None

    def cell(self, period) -> str:
        return f"v-{self.metric.pk}-{period}"

    # --- what people do -----------------------------------------------------------

    def load(self, name):
        browser, api = self.people[name]
        grid = browser.get(self.grid_url).context["grid"]
        view = View()
        for cell in grid.cells:
            view.grid_form[cell.name] = cell.raw
            view.grid_form[f"s-{cell.name}"] = str(cell.seen_version)
        for period in PERIODS:
            record = self.record[period]
            view.seen[period] = (record.incarnation, record.stamp, record.value)
            figure = self.figure(period)
            if figure is not None:
                response = api.get(reverse("api:figure-detail", args=[figure.pk]))
                view.ids[period] = (figure.pk, response["ETag"])
        self.views[name] = view

    def grid_save(self, name, changes: dict):
        view = self.views[name]
        if view is None:
            return
        form = dict(view.grid_form)
        for period, value in changes.items():
            form[self.cell(period)] = value or ""
        response = self.people[name][0].post(self.grid_url, form)
        # The model: a changed cell over a record changed since the load is a
        # conflict, unless it now matches the record or is what was shown.
        conflict, writes = False, {}
        for period, value in changes.items():
            typed = None if value is None else Decimal(value)
            record, (incarnation, stamp, shown) = self.record[period], view.seen[period]
            if typed == record.value:
                continue
            if (incarnation, stamp) != (record.incarnation, record.stamp) and typed != shown:
                conflict = True
            elif (incarnation, stamp) == (record.incarnation, record.stamp):
                writes[period] = typed
        if conflict:
            assert response.status_code == 200
            assert response.context["grid"].conflicts, "refused without saying so"
            return
        assert response.status_code == 302, response.content[:500]
        for period, typed in writes.items():
            self._apply(period, typed)
        self.load(name)  # the browser follows the redirect to the grid

    def api_save(self, name, period, value):
        view = self.views[name]
        if view is None:
            return
        api = self.people[name][1]
        record, (incarnation, stamp, _) = self.record[period], view.seen[period]
        current = (record.incarnation, record.stamp) == (incarnation, stamp)
        if period not in view.ids:  # they saw no figure: create one
            if value is None:
                return
            response = api.post(
                reverse("api:figure-list"),
                {
                    "unit": "ICE",
                    "metric": self.metric.code,
                    "fiscal_year": "2023-24",
                    "period": period,
                    "value": value,
                },
            )
            if record.value is None:
                assert response.status_code == 201, response.content
                self._apply(period, Decimal(value), new=True)
            else:
                assert response.status_code == 409, response.content
                assert response.json()["id"] == self.figure(period).pk
            return
        pk, tag = view.ids[period]
        url = reverse("api:figure-detail", args=[pk])
        if value is None:
            response = api.delete(url, HTTP_IF_MATCH=tag)
        else:
            response = api.patch(url, {"value": value}, HTTP_IF_MATCH=tag)
        if incarnation != record.incarnation or record.value is None:
            assert response.status_code == 404  # that figure is gone
        elif not current:
            assert response.status_code == 412, response.content
        else:
            assert response.status_code in (200, 204), response.content
            self._apply(period, None if value is None else Decimal(value), always=True)

    def _apply(self, period, value, *, new=False, always=False):
        record = self.record[period]
        if record.value is None and value is not None:
            new = True
        if value == record.value and not always:
            return
        record.value = value
        record.stamp += 1
        if new:
            record.incarnation += 1

    def check(self):
        for period in PERIODS:
            assert self.on_record(period) == self.record[period].value, period


@pytest.fixture
def people(dataset, administrator, clerk):
    # Q3 starts empty, so that creates and "made meanwhile" are in play.
    figure = Figure.objects.get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period="Q3",
        region=None,
    )
    services.delete_figure(figure=figure, user=administrator)
    return administrator, clerk


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_no_edit_by_two_people_is_ever_lost(people, steps):
    try:
        with transaction.atomic():
            world = World(*people)
            for step in steps:
                if step[0] == "load":
                    world.load(step[1])
                elif step[0] == "grid":
                    world.grid_save(step[1], step[2])
                else:
                    world.api_save(step[1], step[2], step[3])
                world.check()
            raise _Rollback
    except _Rollback:
        pass
