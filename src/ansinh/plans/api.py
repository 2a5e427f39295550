"""/api/v1/plans/: plans with their sections and tasks, read-only, for any signed-in user."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from .models import Plan, PlanAssignment, PlanSection


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


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("plans", PlanViewSet, basename="plan")
