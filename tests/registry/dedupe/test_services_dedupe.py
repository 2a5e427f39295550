"""Batch deduplication: blocking + comparison finds exactly the injected pairs."""

import datetime as dt

from ansinh.registry.dedupe import duplicate_candidates_store, find_duplicates
from ansinh.registry.models import DuplicateCandidate


def _small_set(make_person):
    """Eight people: three true pairs of typical variations, and look-alikes that are not."""
    p = {}
    p["hoa"] = make_person("Nguyễn Thị Hoà", birth_date=dt.date(1985, 3, 12))
    p["hoa_copy"] = make_person("Nguyen Thi Hoa", birth_date=None, birth_year=1985)
    p["minh"] = make_person(
        "Trần Thị Minh Thu", birth_date=dt.date(1990, 5, 2), phone="+84912345678"
    )
    p["minh_copy"] = make_person(
        "Trần Thu Minh", birth_date=dt.date(1990, 2, 5), phone="+84912345678", unit="donganh"
    )
    p["lan"] = make_person("Lê Thị Lan", birth_date=dt.date(1970, 1, 20), citizen_id="001170000001")
    p["lan_copy"] = make_person("Lê Thị Lna", birth_date=dt.date(1970, 1, 20))
    # Same name and year, different dates: two people.
    p["namesake"] = make_person("Nguyễn Thị Hoà", birth_date=dt.date(1985, 9, 30), unit="donganh")
    # Same date, another given name (a twin of Hoà).
    p["twin"] = make_person("Nguyễn Thị Huệ", birth_date=dt.date(1985, 3, 12))
    return p


def _ids(p, *names):
    return tuple(sorted(p[name].pk for name in names))


def test_finds_exactly_the_true_pairs(make_person):
    p = _small_set(make_person)
    pairs = find_duplicates()
    assert [(x.person_id_a, x.person_id_b) for x in pairs] == sorted(
        [_ids(p, "hoa", "hoa_copy"), _ids(p, "minh", "minh_copy"), _ids(p, "lan", "lan_copy")]
    )
    assert all(0.5 <= x.score <= 1.0 and not x.certain for x in pairs)


def test_scope_limits_the_batch(make_person, personas):
    p = _small_set(make_person)
    pairs = find_duplicates(scope_path=personas.hoankiem.path)
    assert [(x.person_id_a, x.person_id_b) for x in pairs] == sorted(
        [_ids(p, "hoa", "hoa_copy"), _ids(p, "lan", "lan_copy")]
    )


def test_inactive_people_are_left_out(make_person):
    p = _small_set(make_person)
    p["hoa_copy"].status = "deceased"
    p["hoa_copy"].save()
    pairs = {(x.person_id_a, x.person_id_b) for x in find_duplicates()}
    assert _ids(p, "hoa", "hoa_copy") not in pairs
    assert len(pairs) == 2


def test_progress_is_reported(make_person):
    _small_set(make_person)
    calls = []
    find_duplicates(progress=lambda done, total=None: calls.append((done, total)))
    assert calls[0] == (8, 80)  # loading, then each of the 9 keys
    assert calls[-1] == (80, 80)


def test_store_creates_pending_rows_then_updates_without_duplicating(make_person):
    p = _small_set(make_person)
    first = duplicate_candidates_store(find_duplicates())
    assert first == {"created": 3, "updated": 0, "skipped": 0}
    again = duplicate_candidates_store(find_duplicates())
    assert again == {"created": 0, "updated": 0, "skipped": 3}
    rows = DuplicateCandidate.objects.order_by("person_a_id")
    assert [(r.person_a_id, r.person_b_id, r.status) for r in rows] == [
        (*pair, "pending")
        for pair in sorted(
            [_ids(p, "hoa", "hoa_copy"), _ids(p, "minh", "minh_copy"), _ids(p, "lan", "lan_copy")]
        )
    ]
    assert rows.get(person_a=p["hoa"]).reasons == ["Trùng họ tên và năm sinh", "Cùng xã/phường"]


def test_a_pair_decided_distinct_is_never_proposed_again(make_person, personas):
    from ansinh.registry.dedupe import duplicate_decide_distinct

    p = _small_set(make_person)
    duplicate_candidates_store(find_duplicates())
    pair = DuplicateCandidate.objects.get(person_a=p["hoa"])
    duplicate_decide_distinct(user=personas.officer_hoankiem, candidate=pair)
    result = duplicate_candidates_store(find_duplicates())
    assert result == {"created": 0, "updated": 0, "skipped": 3}
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == ("distinct", personas.officer_hoankiem)
    assert DuplicateCandidate.objects.filter(status="pending").count() == 2
