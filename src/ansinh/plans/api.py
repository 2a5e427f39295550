"""/api/v1/plans/: plans with their sections and assignments, read-only, for any signed-in
user; /api/v1/plan-tasks/: the tasks of the user's scope, with `POST .../progress/` to report
progress (JSON, or multipart with `evidence` files)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from . import selectors, services
from .models import Plan, PlanAssignment, PlanSection, Task, TaskEvidence, TaskProgress


class PlanAssignmentSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", default=None)

    class Meta:
        model = PlanAssignment
        fields = [
            "id",
            "order",
            "assignee_level",
            "unit_name",
            "department",
            "department_code",
            "role",
            "text",
        ]


class PlanSectionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None)
    assignments = PlanAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = PlanSection
        fields = [
            "id",
            "code",
            "number",
            "level",
            "parent_code",
            "order",
            "title",
            "body",
            "footnotes",
            "assignments",
        ]


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "number",
            "issued_on",
            "issued_place",
            "issuer",
            "union",
            "title",
            "source_name",
            "loaded_at",
        ]


class PlanDetailSerializer(PlanSerializer):
    sections = PlanSectionSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "basis",
            "closing",
            "recipients",
            "signature",
            "signer",
            "sections",
        ]


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Plans (kế hoạch); the detail carries every section in document order with its tasks."""

    def get_queryset(self):
        queryset = Plan.objects.order_by("-issued_on", "-id")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "sections__parent",
                "sections__assignments__department",
            )
        return queryset

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer


class TaskEvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TaskEvidence
        fields = ["id", "original_name", "size", "sha256", "download_url"]

    def get_download_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("plans:task_evidence", args=[obj.pk])


class TaskProgressSerializer(serializers.ModelSerializer):
    evidence = TaskEvidenceSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="not_started | in_progress | done")

    class Meta:
        model = TaskProgress
        fields = [
            "id",
            "reported_on",
            "text",
            "percent",
            "status",
            "author_name",
            "created_at",
            "evidence",
        ]


class TaskSerializer(serializers.ModelSerializer):
    section_code = serializers.CharField(source="section.code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    lead_department_code = serializers.CharField(
        source="lead_department.code", default=None, read_only=True
    )
    is_overdue = serializers.BooleanField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="not_started | in_progress | done")
    display_status = serializers.CharField(
        source="display_status_code",
        read_only=True,
        help_text="not_started | in_progress | done | overdue",
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "section",
            "section_code",
            "assignment",
            "unit",
            "unit_code",
            "lead_department",
            "lead_department_code",
            "cooperating_departments",
            "cooperating_units",
            "title",
            "description",
            "starts_on",
            "deadline",
            "status",
            "display_status",
            "is_overdue",
            "percent",
            "completed_on",
        ]
        read_only_fields = fields


class TaskDetailSerializer(TaskSerializer):
    progress = TaskProgressSerializer(many=True, read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "progress"]
        read_only_fields = fields


class TaskProgressInputSerializer(serializers.Serializer):
    text = serializers.CharField()
    percent = serializers.IntegerField()
    reported_on = serializers.DateField(required=False)
    evidence = serializers.ListField(child=serializers.FileField(), required=False)


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Plan tasks of the user's scope; filters as on the page: `plan`, `department`, `unit`,
    `status` (not_started | in_progress | done | overdue), `overdue=1`, `section`, `q`."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        filters = {name: self.request.query_params.get(name, "") for name in selectors.TASK_FILTERS}
        queryset = selectors.task_list(user=self.request.user, filters=filters).prefetch_related(
            "cooperating_departments", "cooperating_units"
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("progress__evidence")
        return queryset

    def get_serializer_class(self):
        return TaskDetailSerializer if self.action == "retrieve" else TaskSerializer

    @extend_schema(request=TaskProgressInputSerializer, responses={201: TaskProgressSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Report progress on the task (404 outside the user's scope, nothing written)."""
        task = self.get_object()
        data = TaskProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        files = request.FILES.getlist("evidence") if request.FILES else []
        try:
            progress = services.task_progress_add(
                user=request.user,
                task=task,
                text=data.validated_data["text"],
                percent=data.validated_data["percent"],
                reported_on=data.validated_data.get("reported_on"),
                files=files,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(TaskProgressSerializer(progress).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("plans", PlanViewSet, basename="plan")
    router.register("plan-tasks", TaskViewSet, basename="plantask")
