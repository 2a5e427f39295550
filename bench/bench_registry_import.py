"""Registry import: end-to-end rows/s (read XLSX + validate + commit) against a bare `COPY`.

`ANSINH_BENCH_SCALE` rows (default 200,000) of realistic, messy values are generated into an
XLSX file: a title row above the header, dates as text in three spellings, as Excel dates,
serial numbers and years; citizen IDs as text, as numbers that lost their leading zeros and as
"….0" floats; phones with spaces, dots, +84 or a lost leading zero; communes written with and
without accents or the type word, 10% as a pre-2025 commune with its old district; households
of 1–4 members grouped by "Mã hộ".

Figures:
- `import_end_to_end`: rows/s of `import_file_run` (what `ansinh import-registry` does: on
  PostgreSQL people are written while the file is still checked, `importing/streaming.py`)
  into this database, baseline: `COPY` of the same rows, already normalised, as CSV into a scratch
  copy of the person table with the same indexes (`LIKE registry_person INCLUDING ALL`), in
  the same process (SQLite: `executemany` INSERT instead);
- (no step after COMMIT: the parents' check, the names for search and the left-behind facts
  are done inside the import's transaction and counted in it);
- `validate` and `commit`: the two halves of it (rows/s), each with its CPU profile: µs per
  row of this process and of the PostgreSQL backend serving it (read from /proc, so the
  figures hold on a loaded machine where wall time does not);
- `xlsx_read`: reading the file (header found, every row visited), baseline: bare
  python-calamine iteration of the same file.

The imported rows are deleted afterwards, so the benchmark can run again on the same database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import time

ROWS = int(os.environ.get("ANSINH_BENCH_SCALE", "200000"))
SEED = 42

SURNAMES = ["Nguyễn"] * 8 + ["Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng"]
SURNAMES += ["Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Kim", "Bích", "Thùy"]
MIDDLE_M = ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân"]
GIVEN_F = "Hoa Lan Mai Hương Hằng Thu Ngọc Yến Dung Hạnh Nga Xuân Tuyết Bình Hà Linh Trang"
GIVEN_F += " Phương Thảo Huyền Nhung Oanh Vân Loan Quyên Hiền Giang Nhàn Liên Thủy Thoa Hòa"
GIVEN_M = "Minh Tâm Hùng Dũng Nam Long Hải Sơn Tuấn Thắng Quân Khánh Bảo Đạt Phúc An Huy"
CATEGORIES = ["PN_DON_THAN_NUOI_CON", "Phụ nữ cao tuổi cô đơn", "LD_NU_DI_CU", "TE_MO_COI"]
CATEGORIES += ["Trẻ em có hoàn cảnh đặc biệt khó khăn", "PN_KHUYET_TAT", "HO_CAN_NGHEO"]
MOBILE_PREFIXES = ["91", "94", "98", "97", "96", "86", "88", "90", "93", "70", "77", "32", "35"]
MOBILE_PREFIXES += ["39", "83", "84", "85", "81"]
NEEDS = ["Vốn", "HOC_NGHE", "Việc làm", "BHYT", "Nhà ở", "HOC_TAP"]
HEADERS = [
    "STT",
    "Mã hồ sơ (tùy chọn)",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh (hoặc năm sinh)",
    "Số CCCD",
    "Điện thoại",
    "Dân tộc",
    "Quan hệ với chủ hộ",
    "Mã hộ",
    "Hội viên (có/không)",
    "Nghề nghiệp",
    "Địa chỉ: số nhà/đường",
    "Thôn/tổ dân phố",
    "Xã/phường",
    "Quận/huyện cũ (nếu ghi địa chỉ cũ)",
    "Hộ nghèo/cận nghèo",
    "Năm công nhận",
    "Diện đối tượng (mã hoặc tên, cách nhau dấu ;)",
    "Nhu cầu (mã hoặc tên, ;)",
]


def _world():
    from django.db import transaction

    from ansinh.geo.services import units_load
    from ansinh.org.models import UnionUnit
    from ansinh.org.services import union_tree_generate

    city = UnionUnit.objects.filter(kind="city", code="01", valid_to__isnull=True).first()
    if city is None or not UnionUnit.objects.filter(kind="commune", valid_to__isnull=True).exists():
        units_load(province_code="01")
        with transaction.atomic():
            union_tree_generate(province_code="01")
        city = UnionUnit.objects.get(kind="city", code="01", valid_to__isnull=True)
    return city


def _places():
    from ansinh.geo.models import AdminUnit, AdminUnitSuccession

    current = list(
        AdminUnit.objects.filter(
            era="post2025", level="commune", province_code="01", union_units__kind="commune"
        ).values_list("name", "short_name")
    )
    whole = (
        AdminUnitSuccession.objects.filter(
            new__province_code="01", old__level="commune", kind="whole"
        )
        .values_list("old__name", "old__parent__name")
        .order_by("old__code")
    )
    return current, list(whole)


def _citizen_id(rng, sex, birth_year, serial):
    century = (birth_year // 100 - 19) * 2 + (1 if sex == "F" else 0)
    return f"001{century}{birth_year % 100:02d}{serial % 1_000_000:06d}"


def generate_rows(count: int, run: int):
    """The rows as written in the file (messy) — deterministic for a seed."""
    rng = random.Random(SEED + run)
    current, whole = _places()
    given_f, given_m = GIVEN_F.split(), GIVEN_M.split()
    rows = []
    household = 0
    serial = run * 300_000
    while len(rows) < count:
        household += 1
        code = f"R{run}H{household}"
        size = min(rng.choice([1, 1, 2, 2, 3, 3, 4]), count - len(rows))
        if rng.random() < 0.1:
            old, district = rng.choice(whole)
            commune, old_district = (
                (f"{old}, {district}", "") if rng.random() < 0.5 else (old, district)
            )
        else:
            name, short = rng.choice(current)
            commune = rng.choice([name, short, short.lower(), name.upper()])
            old_district = ""
        surname = rng.choice(SURNAMES)
        poverty = rng.choice(["", "", "", "", "Nghèo", "Cận nghèo"])
        for member in range(size):
            sex = "F" if member == 0 or rng.random() < 0.6 else "M"
            adult = member < 2
            year = rng.randint(1940, 2004) if adult else rng.randint(2008, 2023)
            birth_day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            form = rng.random()
            if form < 0.3:
                birth = birth_day.strftime("%d/%m/%Y")
            elif form < 0.45:
                birth = f"{birth_day.day}/{birth_day.month}/{year}"
            elif form < 0.55:
                birth = birth_day.strftime("%d-%m-%Y")
            elif form < 0.75:
                birth = birth_day
            elif form < 0.85:
                birth = float((birth_day - dt.date(1899, 12, 30)).days)
            else:
                birth = year
            middle = rng.choice(MIDDLE_F if sex == "F" else MIDDLE_M)
            given = rng.choice(given_f if sex == "F" else given_m)
            name = f"{surname if member == 0 or rng.random() < 0.7 else rng.choice(SURNAMES)}"
            name += f" {middle} {given}"
            name = rng.choice([name, name, name, name.upper(), f"  {name}  "])
            cccd = ""
            if rng.random() < 0.7 and not isinstance(birth, int):
                serial += 1
                number = _citizen_id(rng, sex, year, serial)
                cccd = rng.choice([number, number, int(number), f"{int(number)}.0"])
            phone = ""
            if rng.random() < 0.5:
                digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
                phone = rng.choice(
                    [
                        f"0{digits}",
                        f"0{digits[:3]} {digits[3:6]} {digits[6:]}",
                        f"0{digits[:3]}.{digits[3:6]}.{digits[6:]}",
                        f"+84{digits}",
                        f"84{digits}",
                        int(digits),
                    ]
                )
            rows.append(
                [
                    len(rows) + 1,
                    # A unit's record number where no citizen ID tells two people apart (as the
                    # template asks): without it two namesakes born the same day in one commune
                    # are refused as a duplicate, which a random file can produce.
                    f"R{run}-{len(rows) + 1}" if not cccd else "",
                    name,
                    rng.choice(["Nữ", "nữ", "nu", "F"] if sex == "F" else ["Nam", "nam", "M"]),
                    birth,
                    cccd,
                    phone,
                    rng.choice(["Kinh"] * 8 + ["Tày", "Muong", "Dao"]),
                    "Chủ hộ" if member == 0 else rng.choice(["Con", "con", "Vợ", "Chồng", "Mẹ"]),
                    code if size > 1 else "",
                    rng.choice(["Có", "", "x", "không"]),
                    rng.choice(["", "Nội trợ", "Buôn bán", "Công nhân", "Làm ruộng"]),
                    f"Số {rng.randint(1, 300)} ngõ {rng.randint(1, 99)}" if member == 0 else "",
                    f"Tổ {rng.randint(1, 30)}" if member == 0 and rng.random() < 0.3 else "",
                    commune if member == 0 else "",
                    old_district if member == 0 else "",
                    poverty if member == 0 else "",
                    rng.choice([2023, 2024, 2025]) if member == 0 and poverty else "",
                    rng.choice(CATEGORIES) if rng.random() < 0.2 else "",
                    "; ".join(rng.sample(NEEDS, 2)) if rng.random() < 0.15 else "",
                ]
            )
    return rows


def write_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH PHỤ NỮ, TRẺ EM CÓ HOÀN CẢNH KHÓ KHĂN"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


COPY_COLUMNS = [
    "household_id",
    "unit_id",
    "scope_path",
    "full_name",
    "name_folded",
    "sex",
    "birth_date",
    "birth_year",
    "citizen_id",
    "phone",
    "ethnicity",
    "relation",
    "is_union_member",
    "occupation",
    "status",
    "record_number",
    "is_deidentified",
    "created_at",
    "updated_at",
]


def _normalised_csv(validation, household_id, path) -> tuple[str, list[tuple]]:
    now = dt.datetime.now(dt.UTC)
    tuples = [
        (
            household_id,
            row.unit_id,
            path,
            row.full_name,
            row.name_folded,
            row.sex,
            row.birth_date,
            row.birth_year,
            row.citizen_id,
            row.phone,
            row.ethnicity,
            row.relation,
            row.is_union_member,
            row.occupation,
            "active",
            row.record_number,
            False,
            now,
            now,
        )
        for row in validation.rows
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in tuples:
        writer.writerow([r"\N" if v is None else v for v in values])
    return buffer.getvalue(), tuples


class _RolledBack(Exception):
    pass


def copy_baseline(validation) -> float:
    """Seconds to COPY the same rows, already normalised, into a scratch copy of the person
    table with the same indexes (`LIKE registry_person INCLUDING ALL`: every index, the GIN
    syllable index included; no foreign keys or triggers, which LIKE does not copy). A regular
    table, like the real one (a TEMP table would skip the write-ahead log); created and
    dropped in a transaction that is rolled back."""
    from django.db import connection, transaction

    from ansinh.registry.models import Household

    household_id = Household.objects.values_list("id", flat=True).first()
    path = validation.unit.path
    data, tuples = _normalised_csv(validation, household_id, path)
    columns = ", ".join(COPY_COLUMNS)
    elapsed = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE TABLE bench_person_copy (LIKE registry_person INCLUDING ALL)"
                )
                started = time.perf_counter()
                with cursor.cursor.copy(
                    f"COPY bench_person_copy ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                ) as copy:
                    copy.write(data)
                elapsed = time.perf_counter() - started
            else:
                cursor.execute(
                    "CREATE TABLE bench_person_copy AS SELECT * FROM registry_person WHERE 0"
                )
                marks = ", ".join(["%s"] * len(COPY_COLUMNS))
                started = time.perf_counter()
                cursor.executemany(
                    f"INSERT INTO bench_person_copy ({columns}) VALUES ({marks})", tuples
                )
                elapsed = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    return elapsed


def _delete_batch(batch_id: int) -> None:
    from django.db import connection, transaction

    person_ids = "SELECT id FROM registry_person WHERE import_batch_id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_households AS SELECT DISTINCT household_id AS id "
            "FROM registry_person WHERE import_batch_id = %s",
            [batch_id],
        )
        for table in (
            "registry_need",
            "registry_personvulnerability",
            "registry_personstatuschange",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE person_id IN ({person_ids})", [batch_id])
        cursor.execute("DELETE FROM registry_person WHERE import_batch_id = %s", [batch_id])
        cursor.execute(
            "DELETE FROM registry_household WHERE id IN (SELECT id FROM bench_households) "
            "AND NOT EXISTS (SELECT 1 FROM registry_person p WHERE p.household_id = "
            "registry_household.id)"
        )
        cursor.execute("DROP TABLE bench_households")
        # The file may be imported again by the next run.
        cursor.execute(
            "UPDATE registry_importbatch SET file_sha256 = '', status = 'failed' WHERE id = %s",
            [batch_id],
        )
    if connection.vendor == "postgresql":
        # The deleted rows' index entries out of the way: the next import of the same file
        # (the "commit" half below, the next run) would otherwise meet every one of its keys
        # as a dead entry in the unique indexes (measured, 50,000 rows: 8,800 instead of
        # 14,800 rows/s end to end, PostgreSQL 47 instead of 32 µs per row).
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) registry_person, registry_household, registry_need, "
                "registry_personvulnerability, registry_person_name"
            )


class _Cpu:
    """CPU seconds of this process and of its PostgreSQL backend (when /proc shows it)."""

    def __init__(self):
        from django.db import connection

        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            if os.path.exists(f"/proc/{pid}/stat"):
                self.backend = f"/proc/{pid}/stat"

    def read(self) -> tuple[float, float | None]:
        backend = None
        if self.backend:
            with open(self.backend) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return time.process_time(), backend

    def note(self, start, rows: int) -> str:
        end = self.read()
        text = f"CPU per row: Python {1e6 * (end[0] - start[0]) / rows:.1f} µs"
        if start[1] is not None:
            text += f", PostgreSQL backend {1e6 * (end[1] - start[1]) / rows:.1f} µs"
        return text


def _load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
        return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"
    except OSError:
        return ""


def _row_triggers() -> str:
    """Whether the import's COPYs run without per-row triggers here (`importing.triggers`)."""
    from django.db import connection, transaction

    from ansinh.registry.importing.triggers import skip_row_triggers

    if connection.vendor != "postgresql":
        return "row triggers on (SQLite)"
    with transaction.atomic(), connection.cursor() as cursor:
        skipped = skip_row_triggers(cursor)
        transaction.set_rollback(True)
    return (
        "per-row triggers off for the COPYs, parents checked set-based"
        if skipped
        else "per-row triggers on (the role may not set session_replication_role)"
    )


def _index_count() -> int:
    from django.db import connection

    sql = (
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'registry_person'"
        if connection.vendor == "postgresql"
        else "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name = 'registry_person'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def run(report):
    from python_calamine import CalamineWorkbook

    from ansinh.registry.importing.commit import commit_atomically
    from ansinh.registry.importing.reading import read_table
    from ansinh.registry.importing.services import import_file_run
    from ansinh.registry.importing.validation import validate_file
    from ansinh.registry.models import ImportBatch

    city = _world()
    run_number = ImportBatch.objects.count() + 1
    rows = generate_rows(ROWS, run_number)
    content = write_xlsx(rows)
    print(f"  {len(rows):,} rows, XLSX {len(content) / 1e6:.1f} MB; {_load()}", flush=True)

    # (b) reading: bare python-calamine vs ours (header found, every row visited).
    started = time.perf_counter()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    bare = sum(1 for _row in sheet.to_python(skip_empty_area=False))
    bare_seconds = time.perf_counter() - started
    started = time.perf_counter()
    table = read_table(content, "bench.xlsx")
    ours = sum(1 for _row in table.rows)
    read_seconds = time.perf_counter() - started
    assert ours == bare - table.header_row
    report("xlsx_read", ours / read_seconds, "rows/s", baseline=bare / bare_seconds)

    # (a) end to end, as `ansinh import-registry FILE --unit 01` does it.
    cpus = _Cpu()
    started, cpu = time.perf_counter(), cpus.read()
    outcome = import_file_run(content=content, file_name="bench.xlsx", unit=city)
    total_seconds = time.perf_counter() - started
    total_cpu = cpus.note(cpu, len(rows))
    validation = outcome.validation
    if validation.errors:
        raise SystemExit(f"benchmark file has errors: {validation.errors[:5]}")
    assert outcome.counts["people_created"] == len(rows)
    baseline_seconds = copy_baseline(validation)
    report(
        "import_end_to_end",
        len(rows) / total_seconds,
        "rows/s",
        baseline=len(rows) / baseline_seconds,
        note=f"{outcome.counts['households_created']:,} households, "
        f"{outcome.counts['vulnerabilities_created']:,} vulnerabilities, "
        f"{outcome.counts['needs_created']:,} needs; {_row_triggers()}; {total_cpu}; "
        f"baseline: COPY of the "
        f"normalised rows into a copy of the person table with the same indexes "
        f"({_index_count()} indexes); {_load()}",
    )
    _delete_batch(outcome.batch.pk)

    # The two halves, measured again on a clean database.
    started, cpu = time.perf_counter(), cpus.read()
    validation = validate_file(content, file_name="bench.xlsx", unit=city)
    validate_seconds = time.perf_counter() - started
    report(
        "validate",
        len(rows) / validate_seconds,
        "rows/s",
        note=f"read + check every row; {cpus.note(cpu, len(rows))}",
    )
    batch = ImportBatch.objects.create(
        unit=city, scope_path=city.path, file_name="bench.xlsx", file_sha256="", status="ready"
    )
    started, cpu = time.perf_counter(), cpus.read()
    commit_atomically(validation, batch=batch)
    commit_seconds = time.perf_counter() - started
    report(
        "commit",
        len(rows) / commit_seconds,
        "rows/s",
        baseline=len(rows) / baseline_seconds,
        note=f"4 tables (households, people, vulnerabilities, needs); {_row_triggers()}; "
        f"{cpus.note(cpu, len(rows))}; {_load()}",
    )
    started, cpu = time.perf_counter(), cpus.read()
    copy_baseline(validation)
    report(
        "copy_baseline",
        len(rows) / (time.perf_counter() - started),
        "rows/s",
        note=f"again, for its CPU profile: {cpus.note(cpu, len(rows))}",
    )
    _delete_batch(batch.pk)
