"""`ansinh rule-check "EXPRESSION" [--unit CODE] [--explain PERSON_ID]`.

Prints how many active people in the unit's subtree (a commune union `00070` or the city
`01`; default: everyone) the eligibility rule selects today, or the Vietnamese error with a
caret under the mistake. Exits non-zero on a bad rule or an unknown unit; reads only.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from ansinh.org.models import UnionUnit
from ansinh.registry.models import Person
from ansinh.rules.checker import parse_date
from ansinh.rules.errors import RuleError
from ansinh.rules.person import explain_person
from ansinh.rules.selectors import rule_count
from ansinh.rules.services import rule_parse


class Command(BaseCommand):
    help = "Kiểm tra một điều kiện xét chọn và đếm số người (đang quản lý) thỏa điều kiện."

    def add_arguments(self, parser):
        parser.add_argument("expression", help='Điều kiện, ví dụ: age >= 60 and has("HO_NGHEO")')
        parser.add_argument(
            "--unit", default=None, help="Mã xã/phường (vd 00070) hoặc tỉnh/thành phố (vd 01)."
        )
        parser.add_argument("--date", default=None, help="Ngày xét dd/mm/yyyy (mặc định: hôm nay).")
        parser.add_argument(
            "--explain",
            type=int,
            default=None,
            metavar="ID",
            help="Giải thích cho một người (mã số).",
        )

    def handle(self, *args, expression, unit, date, explain, **options):
        today = timezone.localdate()
        if date:
            today = parse_date(date)
            if today is None:
                raise CommandError(f"Ngày “{date}” không hợp lệ: viết theo dạng dd/mm/yyyy.")
        try:
            rule = rule_parse(expression)
        except RuleError as error:
            raise CommandError(str(error)) from error
        union = None
        if unit is not None:
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
        if explain is not None:
            self.explain(rule, explain, union, today)
            return
        count = rule_count(rule=rule, scope_path=union.path if union else None, today=today)
        where = union.name if union else "toàn bộ dữ liệu"
        shown = f"{count:,}".replace(",", ".")
        self.stdout.write(
            f"{shown} người đang quản lý thỏa điều kiện ({where}, ngày {today:%d/%m/%Y})."
        )

    def explain(self, rule, person_id: int, union, today: dt.date) -> None:
        people = Person.objects.all()
        if union is not None:
            people = people.filter(scope_path__startswith=union.path)
        person = people.filter(pk=person_id).first()
        if person is None:
            raise CommandError(f"Không tìm thấy người có mã số {person_id}.")
        explanation = explain_person(rule, person, today=today)
        verdict = "THỎA" if explanation.is_true else "KHÔNG THỎA"
        self.stdout.write(f"{person.full_name} (mã số {person.pk}): {verdict} điều kiện.")
        for line in explanation.lines():
            self.stdout.write(f"  {line}")
