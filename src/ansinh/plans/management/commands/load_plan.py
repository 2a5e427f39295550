"""`ansinh load-plan [FILE]`: load (or reload) the plan from its text file, then turn its
assignments into tasks (one per department named in III.1, one per commune union for each
task of III.2; tasks already there are kept with their progress)."""

from django.core.management.base import BaseCommand, CommandError

from ansinh.plans.services import (
    PlanLoadError,
    default_plan_path,
    plan_load,
    plan_tasks_generate,
)


class Command(BaseCommand):
    help = "Nạp kế hoạch từ tệp văn bản (mặc định: ANSINH_PLAN_FILE hoặc ../shared/seed)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Tệp kế hoạch (.txt, UTF-8)")

    def handle(self, *args, **options):
        path = options["file"] or default_plan_path()
        try:
            plan = plan_load(path=path)
        except PlanLoadError as exc:
            raise CommandError(str(exc)) from exc
        created = plan_tasks_generate(plan=plan)
        sections = plan.sections.count()
        tasks = sum(section.assignments.count() for section in plan.sections.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp {plan}: {sections} mục, {tasks} nhiệm vụ được giao; "
                f"tạo mới {created} nhiệm vụ theo dõi (tổng {plan.tasks.count()})."
            )
        )
