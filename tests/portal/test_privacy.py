"""Free text of donations as public pages show it: long numbers masked, no control chars."""

from ansinh.portal.privacy import mask_numbers, public_memo


def test_account_number_keeps_only_last_four_digits():
    memo = "MBVCB.6916176124.CAO VIET TUAN chuyen tien.CT tu 0101001222009 CAO VIET TUAN"
    assert public_memo(memo) == (
        "MBVCB.••••6124.CAO VIET TUAN chuyen tien.CT tu ••••2009 CAO VIET TUAN"
    )


def test_phone_and_citizen_id_written_with_separators_are_masked():
    assert mask_numbers("goi 0912.345.678 hoac 0912 345 678") == "goi ••••5678 hoac ••••5678"
    assert mask_numbers("CCCD 001188012345") == "CCCD ••••2345"


def test_short_numbers_dates_and_amounts_stay():
    memo = "ung ho 500000 dong ngay 10/09/2024 MHS 4242 ma 1234567"
    assert public_memo(memo) == memo


def test_control_characters_removed_and_text_normalised():
    decomposed = "Nguye\u0302\u0303n"  # NFD "Nguyễn"
    assert public_memo(f"  {decomposed}\x00\x1b  A ") == "Nguyễn A"


def test_markup_is_kept_as_text_for_the_template_to_escape():
    assert public_memo("<script>alert(1)</script>") == "<script>alert(1)</script>"


def test_long_memo_is_cut():
    text = "a" * 400
    shown = public_memo(text)
    assert len(shown) == 300
    assert shown.endswith("…")


def test_empty():
    assert public_memo(None) == ""
    assert public_memo("") == ""
