"""`ansinh seed`: truth files, realistic injected duplicates, determinism."""

import csv
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from ansinh.registry.models import Household, Person
from ansinh.registry.synthetic import DUPLICATE_KINDS, seed_people


def _pairs(path):
    with path.open() as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def seeded(personas, tmp_path):
    result = seed_people(scale=3000, truth_path=tmp_path / "truth.csv", random_seed=5)
    people = {
        p.pk: p
        for p in Person.objects.select_related("household").only(
            "full_name",
            "name_folded",
            "sex",
            "birth_date",
            "birth_year",
            "citizen_id",
            "phone",
            "household__commune_id",
            "household__address_line",
        )
    }
    return result, people, tmp_path


def test_truth_kinds_and_hard_negatives_files(seeded):
    result, people, tmp_path = seeded
    truth = [(int(r["person_id_a"]), int(r["person_id_b"])) for r in _pairs(tmp_path / "truth.csv")]
    kinds = _pairs(tmp_path / "duplicates-kinds.csv")
    assert truth == result.duplicate_pairs
    assert [(int(r["person_id_a"]), int(r["person_id_b"])) for r in kinds] == truth
    assert {r["kind"] for r in kinds} <= {kind for kind, _ in DUPLICATE_KINDS}
    assert sum(result.duplicate_kinds.values()) == result.duplicates == len(truth)
    assert all(a < b and a in people and b in people for a, b in truth)
    # About 3% of people are second records, 1% namesakes.
    assert 0.025 <= result.duplicates / result.people <= 0.04
    negatives = [
        (people[int(r["person_id_a"])], people[int(r["person_id_b"])])
        for r in _pairs(tmp_path / "hard-negatives.csv")
    ]
    assert 0.007 <= len(negatives) / result.people <= 0.013
    for a, b in negatives:
        assert (a.full_name, a.birth_year, a.sex) == (b.full_name, b.birth_year, b.sex)
        assert a.household_id != b.household_id
        assert a.citizen_id is None or a.citizen_id != b.citizen_id


def test_injected_duplicates_are_realistic(seeded):
    result, people, _ = seeded
    pairs = [(people[a], people[b]) for a, b in result.duplicate_pairs]
    kinds = Counter(result.duplicate_kinds)
    # Most second records stay at home: same commune (household registered again, same
    # household record, a move within the commune).
    same_commune = sum(a.household.commune_id == b.household.commune_id for a, b in pairs)
    assert same_commune / len(pairs) >= 0.6
    # (Without the geo succession table no commune has neighbours: those moves stay inside.)
    assert kinds.most_common(1)[0][0] == "household_again"
    assert kinds["moved_in_commune"] > kinds["moved_elsewhere"] > 0
    for a, b in pairs:
        assert a.sex == b.sex and a.birth_year == b.birth_year
        assert not (a.citizen_id and b.citizen_id)  # unique in the registry: one side only
    # The full date is known on at least one side almost always.
    dated = sum(bool(a.birth_date or b.birth_date) for a, b in pairs)
    assert dated / len(pairs) >= 0.95
    # Nothing to go on but name and year: no phone and no CCCD on either record, another
    # commune, a year-only record. Those are the unresolvable ones: a small share.
    unresolvable = sum(
        not (a.phone or b.phone or a.citizen_id or b.citizen_id)
        and a.household.commune_id != b.household.commune_id
        and not (a.birth_date and b.birth_date)
        for a, b in pairs
    )
    assert unresolvable / len(pairs) <= 0.03
    # A household registered again keeps its address, written its own way.
    homes = [
        (a, b)
        for a, b in pairs
        if a.household_id != b.household_id
        and a.household.commune_id == b.household.commune_id
        and a.household.address_line
        and b.household.address_line
    ]
    assert any(a.household.address_line != b.household.address_line for a, b in homes)


def _snapshot():
    return list(
        Person.objects.order_by("id").values_list(
            "full_name", "sex", "birth_date", "birth_year", "citizen_id", "phone", "relation"
        )
    )


def _wipe():
    Person.objects.all().delete()
    Household.objects.all().delete()


def test_same_seed_same_people(personas, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("seed", scale=400, seed=3, stdout=StringIO(), stderr=StringIO())
    first = _snapshot()
    first_truth = (tmp_path / "seed" / "duplicates-truth.csv").read_text()
    _wipe()
    call_command("seed", scale=400, seed=3, stdout=StringIO(), stderr=StringIO())
    assert _snapshot() == first
    assert len(first) >= 390
    # Ids come from the sequences, so the truth file has the same number of pairs.
    assert len((tmp_path / "seed" / "duplicates-truth.csv").read_text().splitlines()) == len(
        first_truth.splitlines()
    )
    _wipe()
    call_command("seed", scale=400, seed=4, stdout=StringIO(), stderr=StringIO())
    assert _snapshot() != first


def test_seeded_names_feed_the_search_vocabulary(personas, tmp_path):
    from django.db import connection

    seed_people(scale=200, truth_path=tmp_path / "truth.csv", random_seed=9)
    syllables = {
        token
        for name in Person.objects.values_list("name_folded", flat=True)
        for token in name.split()
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM registry_name_token")
        vocabulary = {row[0] for row in cursor.fetchall()}
    assert syllables <= vocabulary


def test_seeded_phones_and_citizen_ids_pass_the_validators(seeded):
    from ansinh.core.validators import normalize_phone, validate_citizen_id

    _, people, _ = seeded
    phones = [p.phone for p in people.values() if p.phone]
    assert phones
    assert [normalize_phone(phone) for phone in phones] == phones
    for person in people.values():
        if person.citizen_id:
            validate_citizen_id(
                person.citizen_id,
                sex=person.sex,
                birth_date=person.birth_date,
                birth_year=person.birth_year,
            )


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)  # the bulk load alters tables: no pending events
def test_a_bulk_seed_leaves_the_left_behind_facts_a_rebuild_would_make(
    reference_rows, personas, tmp_path, monkeypatch
):
    """The bulk load (indexes dropped, the facts' row triggers switched off) catches the
    facts up once at its end: the same rows as deriving them all again."""
    from ansinh.programmes import facts
    from ansinh.registry import synthetic

    monkeypatch.setattr(synthetic, "BULK_MIN_PEOPLE", 100)
    before = set(Person._base_manager.values_list("pk", flat=True))
    result = seed_people(scale=1500, truth_path=tmp_path / "truth.csv", random_seed=9)
    assert result.index_seconds > 0  # the bulk path ran
    made = sorted(set(Person._base_manager.values_list("pk", flat=True)) - before)

    def rows():  # the facts of the people this seed made
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM {facts.TABLE} WHERE person_id = ANY(%s) ORDER BY 1, 2",  # noqa: S608
                [made],
            )
            return cursor.fetchall()

    seeded = rows()
    assert seeded  # people with vulnerabilities have facts
    facts.facts_rebuild()
    assert rows() == seeded
