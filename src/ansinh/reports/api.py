"""/api/v1/ endpoints of the reports app: indicators, templates and submissions (read-only,
scoped like the pages: out-of-scope submissions are 404)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from .models import Indicator, ReportSubmission, ReportTemplate, SubmissionValue


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "unit", "kind", "module", "dimensions", "is_snapshot"]


class TemplateSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()
    rules = serializers.SerializerMethodField()

    class Meta:
        model = ReportTemplate
        fields = [
            "id",
            "code",
            "name",
            "period_type",
            "title",
            "deadline_days",
            "indicators",
            "rules",
        ]

    def get_indicators(self, obj) -> list[str]:
        return list(
            obj.template_indicators.order_by("order").values_list("indicator__code", flat=True)
        )

    def get_rules(self, obj) -> list[str]:
        return list(obj.rules.order_by("order").values_list("expression", flat=True))


class ValueSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = SubmissionValue
        fields = ["code", "computed_value", "value", "reason"]


class SubmissionSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="period.template.code", read_only=True)
    period_code = serializers.CharField(source="period.code", read_only=True)
    deadline = serializers.DateField(source="period.deadline", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="draft | submitted | returned | approved"
    )
    is_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    values = ValueSerializer(many=True, read_only=True)

    class Meta:
        model = ReportSubmission
        fields = [
            "id",
            "template",
            "period_code",
            "deadline",
            "unit",
            "unit_code",
            "status",
            "is_locked",
            "first_submitted_at",
            "submitted_at",
            "approved_at",
            "return_comment",
            "is_on_time",
            "sections",
            "values",
        ]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.order_by("code")


class TemplateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TemplateSerializer
    queryset = ReportTemplate.objects.order_by("code")


class SubmissionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SubmissionSerializer

    def get_queryset(self):
        queryset = (
            ReportSubmission.objects.restrict(self.request.user, "view")
            .select_related("unit", "period", "period__template")
            .prefetch_related("values__indicator")
            .order_by("-period__starts_on", "unit__code")
        )
        params = self.request.query_params
        if params.get("template"):
            queryset = queryset.filter(period__template__code=params["template"])
        if params.get("period"):
            queryset = queryset.filter(period__code=params["period"].upper())
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        return queryset


def register(router) -> None:
    """Register this app's viewsets on the one /api/v1/ router."""
    router.register("report-indicators", IndicatorViewSet, basename="reportindicator")
    router.register("report-templates", TemplateViewSet, basename="reporttemplate")
    router.register("report-submissions", SubmissionViewSet, basename="reportsubmission")
