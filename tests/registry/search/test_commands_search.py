import csv
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.core.validators import validate_citizen_id
from ansinh.registry.models import Household, Person
from ansinh.registry.search import person_search
from ansinh.registry.synthetic import seed_people


def test_export_registry_writes_the_unit_subtree_and_audits(personas, people, tmp_path):
    out = tmp_path / "hoankiem.xlsx"
    call_command("export_registry", str(out), unit="00070", stdout=StringIO())
    rows = list(load_workbook(BytesIO(out.read_bytes())).active.iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == [
        "Lê Minh Anh",
        "Nguyễn Thị Hòa",
        "Nguyễn Thị Lan",
        "Trần Văn Nam",
    ]
    assert all("bạo lực" not in (r[9] or "") for r in rows[1:])
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor is None
    assert event.scope_path == personas.hoankiem.path
    assert event.changes["count"] == 4


def test_export_registry_query_and_province(personas, people, tmp_path):
    out = tmp_path / "city.xlsx"
    call_command("export_registry", str(out), unit="01", query="nguyen thi hoa", stdout=StringIO())
    rows = list(load_workbook(BytesIO(out.read_bytes())).active.iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == ["Nguyễn Thị Hoà", "Nguyễn Thị Hòa"]


def test_export_registry_unknown_unit_fails_in_vietnamese(personas, tmp_path):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match="Không tìm thấy .* mã “99999”"):
        call_command("export_registry", str(out), unit="99999")
    assert not out.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_seed_small_scale(personas, tmp_path):
    truth = tmp_path / "truth.csv"
    result = seed_people(scale=600, truth_path=truth, random_seed=7)
    assert Person.objects.count() == result.people
    assert 590 <= result.people <= 610
    assert Household.objects.count() == result.households
    assert set(Person.objects.values_list("scope_path", flat=True)) <= {
        personas.hoankiem.path,
        personas.donganh.path,
    }
    with truth.open() as handle:
        pairs = list(csv.reader(handle))
    assert pairs[0] == ["person_id_a", "person_id_b"]
    assert len(pairs) - 1 == result.duplicates >= 10
    ids = set(Person.objects.values_list("id", flat=True))
    for a, b in pairs[1:]:
        assert int(a) < int(b) and int(a) in ids and int(b) in ids
    assert (tmp_path / "hard-negatives.csv").is_file()
    for person in Person.objects.exclude(citizen_id=None):
        sex = "female" if person.sex == Person.Sex.FEMALE else "male"
        assert (
            validate_citizen_id(
                person.citizen_id,
                sex=sex,
                birth_date=person.birth_date,
                birth_year=person.birth_year,
            )
            == person.citizen_id
        )
    share = Person.objects.exclude(citizen_id=None).count() / result.people
    assert 0.55 < share < 0.85
    # The seeded people are searchable (the search structures follow bulk writes).
    someone = Person.objects.order_by("id").first()
    found = person_search(user=personas.city_admin, query=someone.name_folded)
    assert someone in found


def test_seed_command_prints_summary(personas, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed", scale=50, unit="00454", stdout=out, stderr=StringIO())
    assert "Đã tạo" in out.getvalue()
    assert (tmp_path / "seed" / "duplicates-truth.csv").is_file()
    assert set(Person.objects.values_list("scope_path", flat=True)) == {personas.donganh.path}
    with pytest.raises(CommandError, match="mã “99999”"):
        call_command("seed", scale=10, unit="99999", stdout=StringIO(), stderr=StringIO())
