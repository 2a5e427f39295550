"""The cyclic garbage collector is off while a file is read and checked, and on again after."""

import gc

import pytest

from ansinh.registry.importing import validation
from ansinh.registry.importing.validation import collector_paused, validate_file


def test_paused_inside_and_on_again_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            pass
        assert not gc.isenabled()  # the inner use leaves it to the outer one
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_a_file_is_read_with_the_collector_paused(monkeypatch, hanoi):
    seen = []

    def read_table(content, file_name):
        seen.append(gc.isenabled())
        raise validation.FileReadError("x")

    monkeypatch.setattr(validation, "read_table", read_table)
    result = validate_file(b"", file_name="ds.xlsx", unit=hanoi.hoankiem)
    assert seen == [False]
    assert result.errors and gc.isenabled()
