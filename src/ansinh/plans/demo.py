"""Demo data of the plans app: the loaded plan's tasks (III.1 per department, III.2 per
commune union), a few progress reports, and two tasks with a near deadline so that the
overdue list is not empty. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ansinh.org.models import UnionUnit

from . import services
from .models import Plan, Task, TaskProgress

DEMO_TASK_TITLE = "Tổ chức hội nghị quán triệt Kế hoạch tới chi hội trưởng"


def _plan() -> Plan | None:
    return (
        Plan.objects.filter(source_name=services.PLAN_FILE_NAME).order_by("-loaded_at").first()
        or Plan.objects.order_by("-loaded_at").first()
    )


def demo_load(*, world, say) -> dict:
    plan = _plan()
    if plan is None:
        return {}
    users = world.get("users", {})
    admin = users.get("thanhpho")
    created = services.plan_tasks_generate(plan=plan, actor=admin)
    if created:
        say(f"Tạo {created} nhiệm vụ theo dõi từ phần Tổ chức thực hiện của kế hoạch…")
    if Task.objects.filter(plan=plan, title=DEMO_TASK_TITLE).exists():
        return {"plan_tasks": plan.tasks.count()}

    today = timezone.localdate()
    section = plan.sections.filter(code="III.2").first()
    communes = {
        unit.code: unit
        for unit in UnionUnit.objects.filter(
            kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True, code__in=["00070", "00454"]
        )
    }
    if section is not None and admin is not None:
        for code, unit in communes.items():
            services.task_create(
                user=admin,
                section=section,
                unit=unit,
                title=DEMO_TASK_TITLE,
                description="Quán triệt nội dung Kế hoạch và phân công chi hội thực hiện.",
                starts_on=today - dt.timedelta(days=90),
                deadline=today - dt.timedelta(days=15 if code == "00454" else 5),
            )

    reports = [
        (
            "hoankiem",
            "00070",
            None,
            100,
            "Đã xây dựng kế hoạch cụ thể và triển khai tới 12 chi hội.",
        ),
        ("hoankiem", "00070", DEMO_TASK_TITLE, 100, "Đã tổ chức hội nghị với 45 chi hội trưởng."),
        ("donganh", "00454", None, 40, "Đang rà soát phụ nữ yếu thế tại các thôn."),
        ("giadinh", "01", None, 60, "Đã tổng hợp báo cáo 6 tháng của các cơ sở Hội."),
    ]
    for username, unit_code, title, percent, text in reports:
        user = users.get(username)
        if user is None:
            continue
        tasks = Task.objects.filter(plan=plan, unit__code=unit_code, unit__valid_to__isnull=True)
        tasks = tasks.filter(title=title) if title else tasks.exclude(title=DEMO_TASK_TITLE)
        if username == "giadinh":
            tasks = tasks.filter(lead_department__code="gia-dinh-xa-hoi")
        task = tasks.order_by("section__order", "pk").first()
        if task is None or TaskProgress.objects.filter(task=task).exists():
            continue
        services.task_progress_add(
            user=user,
            task=task,
            text=text,
            percent=percent,
            reported_on=max(task.starts_on, today - dt.timedelta(days=3)),
        )
    say("Thêm báo cáo tiến độ mẫu cho nhiệm vụ của Hoàn Kiếm, Đông Anh và Ban Gia đình xã hội…")
    return {"plan_tasks": plan.tasks.count()}
