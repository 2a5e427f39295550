"""/api/v1/ endpoints of the outreach app: read-only, scoped like the pages (out of scope:
404). A commendation's recipient person is given (id and name) only to users who may see
that person in the registry; each such record served is audited as a view of the person."""

from __future__ import annotations

from django.db.models import Count
from rest_framework import serializers, viewsets

from ansinh.core.audit import audit_view

from . import selectors
from .models import (
    Commendation,
    CommunicationActivity,
    CommunicationTopic,
    CommunityModel,
)


class CommunicationTopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommunicationTopic
        fields = ["id", "code", "name", "is_active"]


class CommunicationActivitySerializer(serializers.ModelSerializer):
    topic_code = serializers.CharField(source="topic.code", read_only=True)
    channel = serializers.CharField(
        read_only=True,
        help_text="meeting | loudspeaker | zalo | facebook | website | newspaper | other",
    )
    people_reached = serializers.IntegerField(read_only=True)

    class Meta:
        model = CommunicationActivity
        fields = [
            "id",
            "held_on",
            "unit",
            "topic",
            "topic_code",
            "channel",
            "title",
            "participants",
            "reach",
            "people_reached",
            "materials",
            "notes",
            "created_at",
        ]


class CommunityModelSerializer(serializers.ModelSerializer):
    kind_code = serializers.CharField(source="kind.code", read_only=True)
    status = serializers.CharField(read_only=True, help_text="active | paused | dissolved")
    copies_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CommunityModel
        fields = [
            "id",
            "kind",
            "kind_code",
            "name",
            "unit",
            "established_on",
            "members_count",
            "status",
            "description",
            "copied_from",
            "copies_count",
        ]


class CommendationSerializer(serializers.ModelSerializer):
    recipient_kind = serializers.CharField(read_only=True, help_text="person | unit | model")
    recipient_person = serializers.SerializerMethodField()
    recipient_name = serializers.SerializerMethodField()
    level = serializers.CharField(read_only=True)
    form = serializers.CharField(read_only=True)

    class Meta:
        model = Commendation
        fields = [
            "id",
            "recipient_kind",
            "recipient_person",
            "recipient_unit",
            "recipient_model",
            "recipient_name",
            "unit",
            "level",
            "form",
            "reason",
            "awarded_on",
            "decision_number",
        ]

    def _person_visible(self, obj) -> bool:
        return obj.recipient_person_id in self.context.get("visible_people", set())

    def get_recipient_person(self, obj) -> int | None:
        return obj.recipient_person_id if self._person_visible(obj) else None

    def get_recipient_name(self, obj) -> str | None:
        if obj.recipient_person_id:
            return obj.recipient_person.full_name if self._person_visible(obj) else None
        if obj.recipient_unit_id:
            return obj.recipient_unit.name
        return obj.recipient_model.name


class CommunicationTopicViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommunicationTopicSerializer
    queryset = CommunicationTopic.objects.all()


class CommunicationActivityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommunicationActivitySerializer

    def get_queryset(self):
        queryset = CommunicationActivity.objects.restrict(self.request.user, "view").select_related(
            "topic"
        )
        channel = self.request.query_params.get("channel")
        if channel:
            queryset = queryset.filter(channel=channel)
        return queryset.order_by("-held_on", "-pk")


class CommunityModelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommunityModelSerializer

    def get_queryset(self):
        return (
            CommunityModel.objects.restrict(self.request.user, "view")
            .select_related("kind")
            .annotate(copies_count=Count("copies"))
            .order_by("-pk")
        )


class CommendationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommendationSerializer

    def get_queryset(self):
        return (
            Commendation.objects.restrict(self.request.user, "view")
            .select_related("recipient_person", "recipient_unit", "recipient_model")
            .order_by("-awarded_on", "-pk")
        )

    def get_serializer(self, *args, **kwargs):
        """Work out once which recipient people the user may see; audit each one served."""
        if args:
            instance = args[0]
            items = list(instance) if isinstance(instance, list | tuple) else [instance]
            visible = selectors.visible_person_ids(
                user=self.request.user,
                person_ids=[
                    c.recipient_person_id for c in items if hasattr(c, "recipient_person_id")
                ],
            )
            for item in items:
                if getattr(item, "recipient_person_id", None) in visible:
                    audit_view(actor=self.request.user, obj=item.recipient_person)
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["visible_people"] = visible
        return super().get_serializer(*args, **kwargs)


def register(router) -> None:
    """Register this app's viewsets on the one /api/v1/ router."""
    router.register(
        "communication-topics", CommunicationTopicViewSet, basename="communicationtopic"
    )
    router.register(
        "communication-activities", CommunicationActivityViewSet, basename="communicationactivity"
    )
    router.register("community-models", CommunityModelViewSet, basename="communitymodel")
    router.register("commendations", CommendationViewSet, basename="commendation")
