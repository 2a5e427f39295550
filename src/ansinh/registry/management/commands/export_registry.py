"""`ansinh export-registry --unit CODE FILE.xlsx [--query ...]`: a unit's people to XLSX.

Runs as the system (no user): the unit's whole subtree, filtered like the list page. The
export is audited with no actor and the unit's path as its scope. Sensitive categories are
left out unless `--sensitive` is given.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ansinh.core.audit import audit_export
from ansinh.core.listing import xlsx_bytes
from ansinh.org.models import UnionUnit
from ansinh.registry.models import Person
from ansinh.registry.search import (
    EXPORT_HEADERS,
    STATUS_ANY,
    PersonFilters,
    SensitiveScope,
    apply_filters,
    export_rows,
    search_queryset,
)


class Command(BaseCommand):
    help = "Xuất danh sách đối tượng của một đơn vị (và các đơn vị trực thuộc) ra tệp Excel."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp .xlsx sẽ ghi.")
        parser.add_argument(
            "--unit", required=True, help="Mã xã/phường (vd 00070) hoặc tỉnh/thành phố (vd 01)."
        )
        parser.add_argument("--query", default="", help="Họ tên, số CCCD hoặc số điện thoại.")
        parser.add_argument(
            "--all-statuses", action="store_true", help="Cả người đã chuyển đi, đã mất…"
        )
        parser.add_argument(
            "--sensitive", action="store_true", help="Ghi cả các diện nhạy cảm (bạo lực giới, HIV)."
        )

    def handle(self, *args, file, unit, query, all_statuses, sensitive, **options):
        union = (
            UnionUnit.objects.filter(
                Q(kind=UnionUnit.Kind.CITY) | Q(kind=UnionUnit.Kind.COMMUNE),
                code=unit,
                valid_to__isnull=True,
            )
            .order_by("path")
            .first()
        )
        if union is None:
            raise CommandError(
                f"Không tìm thấy Hội LHPN xã/phường hoặc tỉnh/thành phố đang hoạt động có mã “{unit}”."
            )
        filters = PersonFilters(status=STATUS_ANY if all_statuses else Person.Status.ACTIVE)
        people = apply_filters(
            Person.objects.filter(scope_path__startswith=union.path), user=None, filters=filters
        )
        people = search_queryset(people, query)
        rows = list(export_rows(people, sensitive=SensitiveScope(everywhere=sensitive)))
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(xlsx_bytes(sheet_title="Đối tượng", headers=EXPORT_HEADERS, rows=rows))
        audit_export(
            actor=None,
            object_type="registry.person",
            count=len(rows),
            filters={"unit": unit, "q": query, "sensitive": sensitive, **filters.as_dict()},
            scope_path=union.path,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Đã xuất {len(rows)} người của {union.name} ra {file}.")
        )
