"""Fixtures of the funds tests: a city campaign owned by the city union."""

from __future__ import annotations

import datetime as dt

import pytest

from ansinh.funds.services import campaign_create


@pytest.fixture
def campaign(personas):
    return campaign_create(
        actor=None,
        slug="bao-yagi",
        title="Ủng hộ đồng bào bị ảnh hưởng bão Yagi",
        unit=personas.city,
        receive_from=dt.date(2024, 9, 1),
        receive_until=dt.date(2024, 9, 30),
        bank_account="0011001932418",
    )
