"""Helpers for the API tests: a client per user, and a figure to work on."""

import pytest
from rest_framework.test import APIClient

from reporting.models import Figure


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    """as_user(user) -> a client logged in as that user (a session, as the browsable API)."""

    def login(user):
        api.force_login(user)
        return api

    return login


@pytest.fixture
def intakes_q1(dataset) -> Figure:
    """ICE's file intakes in Q1 2023-24: 680 in the seed."""
    return Figure.objects.get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period="Q1",
        region=None,
    )
