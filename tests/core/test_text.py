import unicodedata

import pytest

from ansinh.core.text import fold, normalize_text


@pytest.mark.parametrize(
    "value",
    [
        "Nguyễn Thị Hoà",
        "Nguyễn Thị Hòa",
        "NGUYEN THI HOA",
        "nguyễn  thị   hòa ",
        unicodedata.normalize("NFD", "Nguyễn Thị Hoà"),
    ],
)
def test_fold_gives_one_key_for_every_spelling(value):
    assert fold(value) == "nguyen thi hoa"


def test_fold_turns_d_with_stroke_into_d():
    assert fold("Đặng") == "dang"
    assert fold("đường Đông Anh") == "duong dong anh"


def test_fold_of_nothing_is_empty():
    assert fold(None) == ""
    assert fold("") == ""


def test_normalize_text_composes_and_collapses_spaces():
    decomposed = unicodedata.normalize("NFD", "  Phường   Hoàn Kiếm ")
    assert normalize_text(decomposed) == "Phường Hoàn Kiếm"
    assert unicodedata.is_normalized("NFC", normalize_text(decomposed))
