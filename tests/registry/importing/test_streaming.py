"""People written ahead while the file is checked (PostgreSQL only): kept only when the full
checks agree, undone otherwise, and the outcome is the two-phase import's."""

import pytest
from django.db import connection, transaction

from ansinh.registry.importing import streaming
from ansinh.registry.importing.commit import commit_atomically
from ansinh.registry.importing.services import import_file_run
from ansinh.registry.importing.validation import validate_file
from ansinh.registry.models import Household, ImportBatch, Person

from .builders import make_xlsx, person_row
from .files import CORRECTED_PEOPLE, corrected_rows, rows_with_twenty_errors

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="people are written ahead on PostgreSQL only"
)


@pytest.fixture
def kept(monkeypatch):
    """What each stream decided: (rows written ahead, kept)."""
    decisions = []
    keep = streaming.PersonStream.keep

    def spy(self, validation):
        written = len(self.written)
        decision = keep(self, validation)
        decisions.append((written, decision))
        return decision

    monkeypatch.setattr(streaming.PersonStream, "keep", spy)
    return decisions


def _run(personas, content, name="ds.xlsx"):
    return import_file_run(
        content=content, file_name=name, unit=personas.hoankiem, user=personas.officer_hoankiem
    )


def _picture():
    """Every person with her household's members, relation, unit and address, her
    vulnerabilities and needs."""
    people = Person.objects.select_related("household")
    return sorted(
        (
            p.full_name,
            p.citizen_id,
            p.relation,
            p.unit_id,
            p.scope_path,
            p.household.commune_id,
            p.household.address_line,
            p.household.poverty_status,
            tuple(sorted(p.household.members.values_list("full_name", flat=True))),
            tuple(sorted(p.vulnerabilities.values_list("category__code", "since", "until"))),
            tuple(sorted(p.needs.values_list("category__code", "status", "opened_on"))),
        )
        for p in people
    )


class _Undo(Exception):
    pass


def test_the_rows_written_ahead_are_kept_and_match_the_two_phase_import(hanoi, kept, monkeypatch):
    links_ahead = []
    write_links = streaming.PersonStream._write_links

    def spy(self, cursor, links):
        links_ahead.extend(pair for pairs in links for pair in pairs)
        return write_links(self, cursor, links)

    monkeypatch.setattr(streaming.PersonStream, "_write_links", spy)
    content = make_xlsx(corrected_rows())
    try:
        with transaction.atomic():
            outcome = _run(hanoi, content)
            streamed = _picture()
            raise _Undo
    except _Undo:
        pass
    assert Person.objects.count() == 0

    validation = validate_file(content, file_name="ds.xlsx", unit=hanoi.hoankiem)
    batch = ImportBatch.objects.create(
        unit=hanoi.hoankiem, scope_path=hanoi.hoankiem.path, file_name="ds.xlsx", status="ready"
    )
    commit_atomically(validation, batch=batch)

    ((written, decision),) = kept
    assert decision is True
    assert 0 < written <= CORRECTED_PEOPLE
    assert outcome.counts["people_created"] == CORRECTED_PEOPLE
    # Vulnerabilities and needs went ahead with their people.
    assert links_ahead
    assert any(entry[-2] for entry in streamed) and any(entry[-1] for entry in streamed)
    assert streamed == _picture()


def test_a_household_whose_address_comes_later_is_written_whole(hanoi, kept):
    rows = [
        person_row(name="Lê Văn Con", sex="Nam", birth=2015, relation="Con", household="K1"),
        person_row(
            name="Lê Thị Mẹ",
            sex="Nữ",
            birth=1985,
            relation="Chủ hộ",
            household="K1",
            address="Số 9 Hàng Đào",
            commune="Phường Hoàn Kiếm",
        ),
    ]

    outcome = _run(hanoi, make_xlsx(rows))

    assert kept == [(1, True)]  # the child waited for her household's address
    assert outcome.counts["people_created"] == 2
    (household,) = Household.objects.all()
    assert household.address_line == "Số 9 Hàng Đào"
    assert set(household.members.values_list("unit_id", flat=True)) == {hanoi.hoankiem.pk}


def test_a_member_already_registered_undoes_the_rows_written_ahead(hanoi, kept):
    head = {
        "name": "Phan Thị Cũ",
        "sex": "Nữ",
        "birth": 1970,
        "relation": "Chủ hộ",
        "household": "P1",
        "commune": "Phường Hoàn Kiếm",
    }
    _run(hanoi, make_xlsx([person_row(**head)]), name="lan-1.xlsx")
    rows = [
        person_row(**head),
        person_row(name="Phan Văn Mới", sex="Nam", birth=2010, relation="Con", household="P1"),
    ]

    outcome = _run(hanoi, make_xlsx(rows), name="lan-2.xlsx")

    # Both were written ahead as a new household; the checks found the head registered, so
    # they were undone and the new child joined her existing household.
    assert kept[-1] == (2, False)
    assert (outcome.counts["people_created"], outcome.counts["people_existing"]) == (1, 1)
    old = Person.objects.get(full_name="Phan Thị Cũ")
    assert Person.objects.get(full_name="Phan Văn Mới").household_id == old.household_id
    assert Person.objects.count() == 2
    assert Household.objects.count() == 1


def test_a_citizen_id_the_database_refuses_undoes_them_too(hanoi, kept):
    _run(hanoi, make_xlsx(corrected_rows()), name="lan-1.xlsx")
    rows = corrected_rows()
    rows.append(person_row(name="Mai Thị Mới", sex="Nữ", birth=1993, commune="Phường Hoàn Kiếm"))

    outcome = _run(hanoi, make_xlsx(rows), name="lan-2.xlsx")

    assert kept[-1][1] is False
    assert (outcome.counts["people_created"], outcome.counts["people_existing"]) == (
        1,
        CORRECTED_PEOPLE,
    )
    assert Person.objects.count() == CORRECTED_PEOPLE + 1


def test_a_file_with_errors_leaves_nothing_behind(hanoi, kept):
    outcome = _run(hanoi, make_xlsx(rows_with_twenty_errors()))

    assert len(outcome.validation.errors) == 20
    assert kept[-1][1] is False
    assert outcome.batch is None
    assert (Person.objects.count(), Household.objects.count(), ImportBatch.objects.count()) == (
        0,
        0,
        0,
    )


def test_the_left_behind_facts_catch_up_once_after_an_import(hanoi, monkeypatch):
    """The import switches the facts' per-row triggers off and refreshes its people once at
    the end (those it gave no vulnerability need nothing): the table then holds
    exactly what a full rebuild derives."""
    from ansinh.programmes import facts as facts_module
    from ansinh.programmes.facts import TABLE, facts_rebuild

    refreshes = []
    refresh = facts_module.facts_refresh

    def spy(*, person_ids):
        refreshes.append(len(person_ids))
        refresh(person_ids=person_ids)

    monkeypatch.setattr(facts_module, "facts_refresh", spy)

    def facts():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {TABLE} ORDER BY person_id")  # noqa: S608
            return cursor.fetchall()

    outcome = _run(hanoi, make_xlsx(corrected_rows()))
    assert outcome.counts["people_created"] == CORRECTED_PEOPLE
    # Once, for the people given a vulnerability (the others cannot have a row).
    linked = Person.objects.filter(vulnerabilities__isnull=False).distinct().count()
    assert 0 < linked < CORRECTED_PEOPLE
    assert refreshes == [linked]
    after_import = facts()
    assert after_import  # the file has vulnerable people
    facts_rebuild()
    assert facts() == after_import


def test_citizen_ids_and_record_numbers_are_refused_twice_by_the_database():
    """The stream skips its lookups by these keys because a unique index refuses a second
    person with them; if a constraint goes, the lookups come back."""
    assert streaming.refused_twice() == (True, True)
