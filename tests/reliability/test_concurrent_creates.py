"""Parallel creates of one figure through the API: one 201, the rest 409 with its id (PostgreSQL)."""

import pytest
from django.test import Client
from django.urls import reverse

from reporting.models import Figure
from tests.reliability.conditions import postgresql_only, run_at_once

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def test_parallel_creates_of_one_figure_give_one_201_and_409s_naming_it(catalogue, clerk):
    url = reverse("api:figure-list")

    def create(value):
        def job():
            client = Client()
            client.force_login(clerk)
            return client.post(
                url,
                {
                    "unit": "ICE",
                    "metric": "file-intakes",
                    "fiscal_year": "2023-24",
                    "period": "Q1",
                    "value": value,
                },
                content_type="application/json",
            )

        return job

    responses = run_at_once([create(100 + i) for i in range(12)])

    assert not [r for r in responses if isinstance(r, Exception)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 11, [r.content for r in responses]
    figure = Figure.objects.get()
    created = next(r for r in responses if r.status_code == 201).json()
    assert (created["id"], created["value"]) == (figure.pk, f"{figure.value:.2f}")
    assert figure.version == 1 and figure.history.count() == 1
    assert {r.json()["id"] for r in responses if r.status_code == 409} == {figure.pk}
