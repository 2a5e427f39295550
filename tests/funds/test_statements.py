"""Statement files: bad rows refused with row, column and a Vietnamese message; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ansinh.funds.models import Donation, DonationSearch, JournalEntry, StatementImport
from ansinh.funds.selectors import ledger_verify_database
from ansinh.funds.statements import StatementRefused, donor_from_memo, statement_import

pytestmark = pytest.mark.django_db

GOOD = (
    "date,money,content\n"
    "10/09/2024,50000,123456.100924.093012.NGUYEN THI HOA ung ho dong bao bao lu\n"
    "10/09/2024,50000,123456.100924.093012.NGUYEN THI HOA ung ho dong bao bao lu\n"
    '10/09/2024,200000,"MBVCB.1234.5678.TRAN VAN BINH chuyen tien.CT tu 0011004455667 '
    'TRAN VAN BINH toi 0011001932418 MAT TRAN TO QUOC VN"\n'
    "11/09/2024,1000000,chuc dong bao vuot qua kho khan FT24255123\n"
)


def _file(tmp_path, text, name="saoke.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_line_once_even_when_two_lines_are_identical(campaign, tmp_path):
    path = _file(tmp_path, GOOD)

    first = statement_import(campaign=campaign, path=path, actor=None)
    again = statement_import(campaign=campaign, path=path, actor=None)

    assert (first.lines_added, first.amount_added, first.lines_to_review) == (4, 1_300_000, 1)
    assert (again.lines_read, again.lines_added) == (4, 0)
    assert Donation.objects.count() == 4 and JournalEntry.objects.count() == 4
    binh = Donation.objects.get(amount=200_000)
    assert (binh.donor_name, binh.donor_account) == ("Tran Van Binh", "0011004455667")
    assert Donation.objects.filter(review=Donation.Review.PENDING).get().amount == 1_000_000
    assert ledger_verify_database().ok


def test_imported_lines_enter_the_word_index_after_the_commit(campaign, tmp_path, monkeypatch):
    from ansinh.funds import search, statements

    monkeypatch.setattr(statements, "search_catch_up", lambda progress=None: 0)
    first = statement_import(campaign=campaign, path=_file(tmp_path, GOOD), actor=None)
    record = StatementImport.objects.get(pk=first.statement_import.pk)
    assert not record.searchable and DonationSearch.objects.count() == 0
    monkeypatch.undo()

    # the next import catches the earlier one up too, and a file adding nothing is searchable
    statement_import(campaign=campaign, path=_file(tmp_path, GOOD, "again.csv"), actor=None)
    assert not StatementImport.objects.filter(searchable=False).exists()
    assert dict(DonationSearch.objects.values_list("donation_id", "search_text")) == dict(
        Donation.objects.values_list("id", "search_text")
    )
    assert search.search_catch_up() == 0  # nothing left, nothing indexed twice


def test_a_freak_memo_is_kept_whole_and_its_search_text_capped(campaign, tmp_path):
    from ansinh.funds.search import SEARCH_TEXT_MAX

    memo = "NGUYEN THI HOA ung ho " + " ".join(f"x{n}" for n in range(2000))
    statement_import(
        campaign=campaign,
        path=_file(tmp_path, f"date,money,content\n10/09/2024,5000,{memo}\n"),
        actor=None,
    )
    donation = Donation.objects.get()
    assert donation.memo == memo and len(donation.search_text) == SEARCH_TEXT_MAX
    assert donation.search_text.startswith("nguyen thi hoa nguyen thi hoa ung ho x0")


def test_a_later_statement_that_overlaps_adds_only_new_lines(campaign, tmp_path):
    statement_import(campaign=campaign, path=_file(tmp_path, GOOD), actor=None)
    longer = GOOD + "12/09/2024,300000,LE THI MAI ung ho\n"

    result = statement_import(campaign=campaign, path=_file(tmp_path, longer, "b.csv"), actor=None)

    assert (result.lines_read, result.lines_added, result.amount_added) == (5, 1, 300_000)


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("31/02/2024,50000,x", "date", "Ngày không hợp lệ"),
        ("10/09/2024,50.000đ,x", "money", "số nguyên đồng"),
        ("10/09/2024,-50000,x", "money", "Số tiền phải là số nguyên đồng"),
        ("10/09/2024,0,x", "money", "ghi có"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(campaign, tmp_path, line, column, message):
    path = _file(tmp_path, GOOD + line + "\n")

    with pytest.raises(StatementRefused) as refused:
        statement_import(campaign=campaign, path=path, actor=None)

    error = refused.value.errors[0]
    assert (error.row, error.column) == (6, column)
    assert message in error.message
    assert Donation.objects.count() == 0 and StatementImport.objects.count() == 0


def test_the_command_prints_the_row_and_saves_nothing(campaign, tmp_path, capsys):
    path = _file(tmp_path, GOOD + "32/09/2024,1000,x\n")

    with pytest.raises(CommandError, match="không có dòng nào"):
        call_command("import_statement", str(path), campaign=campaign.slug)

    assert "Dòng 6" in capsys.readouterr().err
    assert Donation.objects.count() == 0


def test_the_command_imports_with_a_summary(campaign, tmp_path, capsys):
    call_command("import_statement", str(_file(tmp_path, GOOD)), campaign=campaign.slug)

    assert "thêm 4 khoản ủng hộ, 1.300.000 ₫" in capsys.readouterr().out


def test_unknown_campaign_and_missing_columns(campaign, tmp_path):
    with pytest.raises(CommandError, match="Không có cuộc vận động"):
        call_command("import_statement", str(_file(tmp_path, GOOD)), campaign="khong-co")
    with pytest.raises(StatementRefused) as refused:
        statement_import(
            campaign=campaign, path=_file(tmp_path, "ngay,tien\n1,2\n", "x.csv"), actor=None
        )
    assert {error.column for error in refused.value.errors} == {"date", "money", "content"}


def test_campaign_create_command(personas, capsys):
    call_command(
        "campaign_create",
        "tet-2027",
        title="Tết vì người nghèo 2027",
        start="01/12/2026",
        end="15/04/2027",
        account="0011009999999",
    )

    out = capsys.readouterr().out
    assert "Đã tạo cuộc vận động “tet-2027”" in out
    assert "vượt quá 90 ngày" in out
    with pytest.raises(CommandError, match="đã có"):
        call_command("campaign_create", "tet-2027", title="x", start="01/12/2026", end="02/12/2026")
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("campaign_create", "x", title="x", start="2026-12-01", end="02/12/2026")


@pytest.mark.parametrize(
    ("memo", "name"),
    [
        ("292976.010924.013647.NGUYEN VAN AN ung ho dong bao", "Nguyen Van An"),
        ("MBVCB.1.2.x.CT tu 0011001 PHAM THU HA toi 0011001932418", "Pham Thu Ha"),
        ("123.456.789.Tran Thi Lan FT24255", "Tran Thi Lan"),
        ("123.456.789.chuc moi nguoi binh an", ""),
    ],
)
def test_donor_names_are_read_from_memos(memo, name):
    assert donor_from_memo(memo)[0] == name


def test_statement_date_is_kept(campaign, tmp_path):
    statement_import(campaign=campaign, path=_file(tmp_path, GOOD), actor=None)
    assert Donation.objects.filter(received_on=dt.date(2024, 9, 11)).count() == 1


def test_memos_with_backslashes_tabs_and_markup_are_stored_verbatim(campaign, tmp_path):
    memo = 'LE THI MAI ung ho \\N a\\b\t<script>alert("x")</script>'
    path = tmp_path / "odd.csv"
    path.write_text(
        "date,money,content\n" + f'10/09/2024,70000,"{memo.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )

    statement_import(campaign=campaign, path=path, actor=None)

    assert Donation.objects.get().memo == memo
    assert ledger_verify_database().ok


def _memos():
    """Made-up memos around what the parser looks for (references, stop words, case)."""
    import random

    pieces = [
        "FT24255123", "TRACE 123", "ref9", "REF", "ft", ".", " ", "-", "\t", "\n", "/", ",",
        "NGUYEN THI HOA", "tran van binh", "ung ho", "UNG HO", "chuyen khoan", "ck", "CT tu ",
        "0011004455667", " toi ", "0011001932418", "MBVCB", "123456.100924.093012.", "Đỗ Thị Ạ",
        "Kelvin \u212a", "\u017f", "İ", "x_1", "9", "bao yagi", "fb",
    ]  # fmt: skip
    rng = random.Random(20240910)
    for _ in range(20000):
        yield "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))


def _donor_reference(memo):
    """`donor_from_memo` as first written: the IGNORECASE patterns, searched plainly."""
    from ansinh.funds import statements as s

    match = s._VCB_TRANSFER.search(memo)
    if match:
        return s._title(match.group(2)), match.group(1)
    text = s._TRAILING_REFS.sub("", s._LEADING_REFS.sub("", memo)).strip()
    stop = s._NAME_STOP.search(text)
    candidate = text[: stop.start()] if stop else ""
    words = candidate.replace(".", " ").split()
    if 2 <= len(words) <= 6 and all(s._LETTERS.match(word) for word in words):
        return s._title(" ".join(words)), ""
    return None  # the surname branch is shared code


def test_the_fast_memo_parsing_agrees_with_the_plain_patterns():
    from ansinh.funds import statements as s

    for memo in _memos():
        assert s._strip_trailing_refs(memo) == s._TRAILING_REFS.sub("", memo), memo
        expected = _donor_reference(memo)
        if expected is not None:
            assert donor_from_memo(memo) == expected, memo


def test_search_text_is_fold_of_name_and_memo():
    from ansinh.core.text import fold
    from ansinh.funds.statements import _search_text

    for memo in _memos():
        assert _search_text("Nguyễn Thị Hòa", memo) == fold(f"Nguyễn Thị Hòa {memo}")
        assert _search_text("", memo) == fold(f" {memo}")


pg_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


@pg_only
def test_without_skipping_the_row_triggers_the_import_is_the_same(campaign, tmp_path, monkeypatch):
    from ansinh.funds import statements

    monkeypatch.setattr(statements, "SKIP_ROW_TRIGGERS", False)

    result = statement_import(campaign=campaign, path=_file(tmp_path, GOOD), actor=None)

    assert (result.lines_added, result.amount_added, result.lines_to_review) == (4, 1_300_000, 1)
    assert ledger_verify_database().ok


def _missing_parent_refused(campaign, tmp_path, monkeypatch, skip):
    from django.db import IntegrityError

    from ansinh.funds import statements
    from ansinh.funds.models import Account, LedgerHead

    real = statements.campaign_accounts(campaign)
    ghost = Account(pk=987654321, code=real["fund"].code, kind="fund", name="x")
    monkeypatch.setattr(statements, "SKIP_ROW_TRIGGERS", skip)
    monkeypatch.setattr(statements, "campaign_accounts", lambda _c: {**real, "fund": ghost})

    with pytest.raises(IntegrityError):
        statement_import(campaign=campaign, path=_file(tmp_path, GOOD), actor=None)

    assert Donation.objects.count() == 0 and JournalEntry.objects.count() == 0
    assert StatementImport.objects.count() == 0
    assert LedgerHead.objects.filter(last_seq__gt=0).count() == 0


@pg_only
def test_a_row_pointing_at_a_missing_parent_refuses_the_import(campaign, tmp_path, monkeypatch):
    _missing_parent_refused(campaign, tmp_path, monkeypatch, skip=True)


@pg_only
@pytest.mark.django_db(transaction=True)  # the deferred foreign keys are checked at COMMIT
def test_with_the_row_triggers_a_missing_parent_refuses_it_at_commit(
    campaign, tmp_path, monkeypatch
):
    _missing_parent_refused(campaign, tmp_path, monkeypatch, skip=False)


@pg_only
def test_no_insert_trigger_is_skipped():
    """The import turns per-row triggers off for its COPYs (`statements._copy_rows`): that
    must only ever skip foreign-key checks, which it makes itself. A trigger added later on
    INSERT to these tables would be skipped silently: this test says to revisit that."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgtype & 4 <> 0 AND tgrelid::regclass::text IN "
            "('funds_donation', 'funds_journalentry', 'funds_posting')"
        )
        assert cursor.fetchall() == []


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_racing_imports_do_not_fork_the_chain(campaign, tmp_path):
    import threading

    files = [
        _file(tmp_path, "date,money,content\n" + "".join(
            f"10/09/2024,{1000 * (n + 1)},{which}.{n}.LE THI MAI ung ho\n" for n in range(300)
        ), f"{which}.csv")
        for which in ("a", "b")
    ]  # fmt: skip
    barrier = threading.Barrier(2)
    errors = []

    def run(path):
        try:
            barrier.wait()
            statement_import(campaign=campaign, path=path, actor=None)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(JournalEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 601))
    result = ledger_verify_database()
    assert result.ok and result.entries == 600


def test_lines_already_stored_under_the_same_account_elsewhere_are_not_added_again(
    campaign, personas, tmp_path
):
    from ansinh.funds.services import campaign_create

    statement_import(campaign=campaign, path=_file(tmp_path, GOOD), actor=None)
    twin = campaign_create(
        actor=None,
        slug="bao-yagi-2",
        title="Cùng tài khoản",
        unit=personas.city,
        receive_from=dt.date(2024, 9, 1),
        receive_until=dt.date(2024, 9, 30),
        bank_account=campaign.bank_account,
    )
    longer = GOOD + "12/09/2024,300000,LE THI MAI ung ho\n"

    result = statement_import(campaign=twin, path=_file(tmp_path, longer, "b.csv"), actor=None)

    assert (result.lines_read, result.lines_added, result.amount_added) == (5, 1, 300_000)
    assert Donation.objects.count() == 5
    assert ledger_verify_database().ok
