"""/api/v1/ endpoints of the oversight app: read-only, scoped like the pages (sensitive
feedback only for holders of `sensitive.view_feedback` over its unit). Sender name and phone
are never served by the API."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from . import selectors
from .models import Feedback, Recommendation, SupervisionActivity


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionActivity
        fields = [
            "id",
            "kind",
            "topic",
            "policy_area",
            "subject_body",
            "unit",
            "members",
            "starts_on",
            "ends_on",
            "findings",
        ]


class RecommendationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="pending | answered | implemented | not_accepted"
    )
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "activity",
            "text",
            "addressed_to",
            "deadline",
            "status",
            "is_overdue",
            "published",
            "published_at",
        ]


class FeedbackSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="received | in_progress | resolved | reopened"
    )
    channel = serializers.CharField(read_only=True, help_text="officer | meeting | public")
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "channel",
            "category",
            "category_code",
            "text",
            "unit",
            "status",
            "deadline",
            "is_overdue",
            "escalation_level",
            "resolution",
            "resolved_at",
            "satisfaction",
            "created_at",
        ]


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ActivitySerializer

    def get_queryset(self):
        return SupervisionActivity.objects.restrict(self.request.user, "view").order_by("-pk")


class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RecommendationSerializer

    def get_queryset(self):
        return Recommendation.objects.restrict(self.request.user, "view").order_by("-pk")


class FeedbackViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FeedbackSerializer

    def get_queryset(self):
        queryset = selectors.feedback_visible(self.request.user).order_by("-pk")
        status_ = self.request.query_params.get("status")
        return queryset.filter(status=status_) if status_ else queryset


def register(router) -> None:
    """Register this app's viewsets on the one /api/v1/ router."""
    router.register("supervisions", ActivityViewSet, basename="supervision")
    router.register("recommendations", RecommendationViewSet, basename="recommendation")
    router.register("feedback", FeedbackViewSet, basename="feedback")
