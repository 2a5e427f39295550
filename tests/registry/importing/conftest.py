"""Fixtures of the import tests: media in a temporary folder, Hanoi's units loaded."""

import pytest

import ansinh.registry.importing.jobs  # noqa: F401  (registers the job kinds)
from ansinh.geo.services import units_load


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hanoi(personas):
    """The personas plus Hanoi's units of both eras and the succession between them."""
    units_load(province_code="01")
    return personas
