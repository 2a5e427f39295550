"""The indicators and report templates of the plan (section III: reports every 6 months and
every year), as data.

`catalogue_seed(apps)` writes them idempotently. It takes an app registry so the data
migration can run it on historical models and the demo, tests and `report-build` on the live
ones. An indicator's kind follows the computed-indicator registry: a figure whose module has
not registered it (yet) is entered by the unit, and becomes computed once it is.

Narrative parts ("bất cập, hạn chế", proposals) are template sections, not indicators.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansinh.core.indicators import computed_indicators

HALF_TEMPLATE = "BC-NQ42-6THANG"
YEAR_TEMPLATE = "BC-NQ42-NAM"


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str
    module: str  # the module expected to compute it
    plan_section: str  # the plan's group of tasks it reports on
    snapshot: bool = False
    dimensions: tuple[str, ...] = ()


# Figures of the plan's report, in table order. Names and units here are used while the
# indicator is entered; a registered computed indicator brings its own.
PLAN_INDICATORS = (
    IndicatorSpec(
        "VULNERABLE_REGISTERED",
        "Phụ nữ, trẻ em khó khăn, yếu thế được lập dữ liệu",
        "người",
        "registry",
        "II.4",
        snapshot=True,
        dimensions=("category", "age_band"),
    ),
    IndicatorSpec("PEOPLE_SUPPORTED", "Số người được hỗ trợ", "người", "programmes", "II.2"),
    IndicatorSpec("SUPPORT_AMOUNT", "Số tiền hỗ trợ đã trao", "đồng", "programmes", "II.2"),
    IndicatorSpec(
        "LOAN_WOMEN",
        "Số phụ nữ được hỗ trợ vay vốn Ngân hàng Chính sách xã hội",
        "người",
        "programmes",
        "II.2",
    ),
    IndicatorSpec(
        "LOAN_AMOUNT",
        "Số tiền phụ nữ được vay từ Ngân hàng Chính sách xã hội",
        "đồng",
        "programmes",
        "II.2",
    ),
    IndicatorSpec("TRAINED", "Số người hoàn thành học nghề", "người", "programmes", "II.2"),
    IndicatorSpec(
        "EMPLOYED_AFTER_TRAINING",
        "Số người có việc làm sau học nghề",
        "người",
        "programmes",
        "II.2",
    ),
    IndicatorSpec("HOUSES", "Số nhà Mái ấm tình thương được xây, sửa", "nhà", "programmes", "II.2"),
    IndicatorSpec(
        "CHILDREN_SPONSORED", "Số trẻ em được nhận đỡ đầu", "trẻ em", "programmes", "II.2"
    ),
    IndicatorSpec("MONEY_RAISED", "Số tiền vận động được", "đồng", "funds", "II.4"),
    IndicatorSpec(
        "MONEY_DISTRIBUTED", "Số tiền đã phân bổ cho người thụ hưởng", "đồng", "funds", "II.4"
    ),
    IndicatorSpec(
        "COMMUNICATION_SESSIONS", "Số buổi tuyên truyền, truyền thông", "buổi", "outreach", "II.1"
    ),
    IndicatorSpec(
        "COMMUNICATION_REACHED",
        "Số lượt người được tuyên truyền",
        "lượt người",
        "outreach",
        "II.1",
    ),
    IndicatorSpec(
        "COMMUNITY_MODELS_ACTIVE",
        "Số mô hình đang hoạt động",
        "mô hình",
        "outreach",
        "II.1",
        snapshot=True,
    ),
    IndicatorSpec("COMMENDATIONS", "Số lượt khen thưởng", "lượt", "outreach", "II.1"),
    IndicatorSpec(
        "SUPERVISIONS", "Số cuộc giám sát, phản biện xã hội", "cuộc", "oversight", "II.3"
    ),
    IndicatorSpec(
        "RECOMMENDATIONS_MADE", "Số kiến nghị sau giám sát", "kiến nghị", "oversight", "II.3"
    ),
    IndicatorSpec(
        "RECOMMENDATIONS_IMPLEMENTED",
        "Số kiến nghị được tiếp thu, thực hiện",
        "kiến nghị",
        "oversight",
        "II.3",
    ),
    # The plan's legal counselling groups (II.2) until the cases module computes it.
    IndicatorSpec(
        "LEGAL_AID_SESSIONS",
        "Số buổi tư vấn pháp luật, trợ giúp pháp lý cho phụ nữ",
        "buổi",
        "cases",
        "II.2",
    ),
    IndicatorSpec(
        "FEEDBACK_RECEIVED",
        "Số ý kiến, kiến nghị của hội viên, phụ nữ tiếp nhận",
        "ý kiến",
        "oversight",
        "II.3",
        dimensions=("category",),
    ),
    IndicatorSpec(
        "FEEDBACK_RESOLVED",
        "Số ý kiến, kiến nghị đã giải quyết",
        "ý kiến",
        "oversight",
        "II.3",
        dimensions=("category",),
    ),
)

# (expression, message): checked before submitting; a failing rule blocks the submission.
PLAN_RULES = (
    (
        "EMPLOYED_AFTER_TRAINING <= TRAINED",
        "Số người có việc làm sau học nghề không được lớn hơn số người hoàn thành học nghề.",
    ),
    (
        "LOAN_AMOUNT = 0 or LOAN_WOMEN > 0",
        "Có số tiền vay vốn thì phải có số phụ nữ được vay.",
    ),
    (
        "SUPPORT_AMOUNT = 0 or PEOPLE_SUPPORTED > 0",
        "Có số tiền hỗ trợ thì phải có số người được hỗ trợ.",
    ),
)

# (code, kind, heading, plan section, guidance). Headings of task groups are replaced by the
# plan's own section titles when the plan is loaded.
PLAN_SECTIONS = (
    (
        "II.1",
        "task_results",
        "Kết quả thực hiện nhóm nhiệm vụ II.1",
        "II.1",
        "Kết quả tuyên truyền, giáo dục, nâng cao nhận thức cán bộ, hội viên, phụ nữ.",
    ),
    (
        "II.2",
        "task_results",
        "Kết quả thực hiện nhóm nhiệm vụ II.2",
        "II.2",
        "Kết quả hỗ trợ cán bộ, hội viên, phụ nữ tiếp cận và thụ hưởng chính sách xã hội.",
    ),
    (
        "II.3",
        "task_results",
        "Kết quả thực hiện nhóm nhiệm vụ II.3",
        "II.3",
        "Kết quả tham gia đề xuất chính sách, giám sát và phản biện xã hội.",
    ),
    (
        "II.4",
        "task_results",
        "Kết quả thực hiện nhóm nhiệm vụ II.4",
        "II.4",
        "Kết quả hợp tác, khai thác nguồn lực xã hội hóa.",
    ),
    ("SO-LIEU", "figures", "Số liệu kết quả thực hiện", "", ""),
    (
        "BAT-CAP",
        "difficulties",
        "Khó khăn, bất cập, hạn chế",
        "III.2",
        "Những bất cập, hạn chế phát sinh trong quá trình triển khai chính sách an sinh xã hội "
        "tại địa phương.",
    ),
    ("DE-XUAT", "proposals", "Đề xuất, kiến nghị", "", "Đề xuất với cơ quan có thẩm quyền."),
)

PLAN_RECIPIENTS = "\n".join(
    [
        "Ban Gia đình - Xã hội TW Hội LHPN Việt Nam;",
        "Ban Dân vận, Văn phòng Thành ủy Hà Nội;",
        "Thường trực, các ban, đơn vị Hội LHPN Thành phố;",
        "Lưu: VT, GĐXH.",
    ]
)

PLAN_TEMPLATES = (
    {
        "code": HALF_TEMPLATE,
        "name": "Báo cáo 6 tháng thực hiện Kế hoạch thực hiện Nghị quyết số 42-NQ/TW",
        "period_type": "half",
        "title": "Kết quả {period} thực hiện Nghị quyết số 42-NQ/TW về chính sách xã hội",
        "deadline_days": 10,
    },
    {
        "code": YEAR_TEMPLATE,
        "name": "Báo cáo năm thực hiện Kế hoạch thực hiện Nghị quyết số 42-NQ/TW",
        "period_type": "year",
        "title": "Kết quả {period} thực hiện Nghị quyết số 42-NQ/TW về chính sách xã hội",
        "deadline_days": 15,
    },
)


def indicator_fields(spec: IndicatorSpec, registered) -> dict:
    """What the Indicator row holds for `spec`, given the computed registry entry (or None)."""
    if registered is not None:
        return {
            "name": str(registered.name),
            "unit": str(registered.unit),
            "kind": "computed",
            "module": registered.module,
            "dimensions": list(registered.dimensions),
            "is_snapshot": registered.snapshot,
        }
    return {
        "name": spec.name,
        "unit": spec.unit,
        "kind": "entered",
        "module": spec.module,
        "dimensions": list(spec.dimensions),
        "is_snapshot": spec.snapshot,
    }


def indicators_write(apps) -> dict[str, object]:
    """Every plan indicator and every registered computed one, kinds synced with the registry.
    Returns the rows by code."""
    Indicator = apps.get_model("reports", "Indicator")
    registry = computed_indicators()
    specs = {spec.code: spec for spec in PLAN_INDICATORS}
    rows = {row.code: row for row in Indicator.objects.all()}
    for code in list(specs) + [code for code in registry if code not in specs]:
        spec = specs.get(code)
        registered = registry.get(code)
        if spec is None:
            spec = IndicatorSpec(code, str(registered.name), str(registered.unit), "", "")
        fields = indicator_fields(spec, registered)
        row = rows.get(code)
        if row is None:
            rows[code] = Indicator.objects.create(code=code, **fields)
        elif any(getattr(row, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(row, key, value)
            row.save()
    # A computed indicator whose module is gone is entered until it comes back.
    for code, row in rows.items():
        if row.kind == "computed" and code not in registry:
            row.kind = "entered"
            row.save(update_fields=["kind"])
    return rows


def catalogue_seed(apps) -> dict:
    """Indicators and the plan's two templates (idempotent)."""
    indicators = indicators_write(apps)
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    TemplateIndicator = apps.get_model("reports", "TemplateIndicator")
    TemplateSection = apps.get_model("reports", "TemplateSection")
    TemplateRule = apps.get_model("reports", "TemplateRule")
    created = 0
    for spec in PLAN_TEMPLATES:
        template, was_created = ReportTemplate.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "period_type": spec["period_type"],
                "title": spec["title"],
                "deadline_days": spec["deadline_days"],
                "recipients": PLAN_RECIPIENTS,
            },
        )
        if not was_created:
            continue
        created += 1
        for order, indicator_spec in enumerate(PLAN_INDICATORS, start=1):
            TemplateIndicator.objects.create(
                template=template,
                indicator=indicators[indicator_spec.code],
                order=order,
                plan_section_code=indicator_spec.plan_section,
            )
        for order, (code, kind, heading, section, guidance) in enumerate(PLAN_SECTIONS, start=1):
            TemplateSection.objects.create(
                template=template,
                code=code,
                kind=kind,
                heading=heading,
                plan_section_code=section,
                guidance=guidance,
                order=order,
            )
        for order, (expression, message) in enumerate(PLAN_RULES, start=1):
            TemplateRule.objects.create(
                template=template, expression=expression, message=message, order=order
            )
    return {"indicators": len(indicators), "templates_created": created}
