"""/api/v1/programmes/, rounds/, entitlements/, deliveries/: read, scoped like the pages;
deliveries can be recorded (POST) through the same service as the page."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from ansinh.accounts.permissions import has_permission
from ansinh.core.scoping import get_scoped_or_404

from . import services
from .models import Delivery, Entitlement, Programme, Round


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "code", "name", "benefit_kind", "owner", "eligibility_rule", "is_active"]


class RoundSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="draft | candidates | approved | delivering | closed"
    )

    class Meta:
        model = Round
        fields = [
            "id",
            "programme",
            "programme_code",
            "title",
            "budget",
            "funding_source",
            "amount_per_person",
            "items",
            "rule",
            "quota_mode",
            "status",
            "unit",
            "starts_on",
            "ends_on",
            "proposed_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "closed_at",
        ]


class EntitlementSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="candidate | removed | approved | delivered"
    )

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "round",
            "person",
            "person_name",
            "commune_unit",
            "rank",
            "amount",
            "status",
            "origin",
            "reason",
        ]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "entitlement",
            "delivered_on",
            "deliverer",
            "amount",
            "items",
            "acknowledged",
            "acknowledged_how",
            "note",
            "recorded_at",
        ]
        read_only_fields = ["deliverer", "recorded_at"]
        # Recording twice returns the first delivery (the service is idempotent).
        extra_kwargs = {"entitlement": {"validators": []}}


class ProgrammePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and has_permission(
            request.user, "programmes.view_programme"
        )


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeSerializer
    permission_classes = [ProgrammePermission]
    queryset = Programme.objects.order_by("order", "name")


class ScopedReadMixin:
    model = None
    related: tuple = ()

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, "view").select_related(*self.related)


class RoundViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    model = Round
    related = ("programme",)
    serializer_class = RoundSerializer

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-created_at", "-id")
        status_ = self.request.query_params.get("status")
        return queryset.filter(status=status_) if status_ else queryset


class EntitlementViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    model = Entitlement
    related = ("person",)
    serializer_class = EntitlementSerializer

    def get_queryset(self):
        queryset = super().get_queryset().order_by("round_id", "commune_unit_id", "rank", "id")
        round_id = self.request.query_params.get("round")
        if round_id and round_id.isdigit():
            queryset = queryset.filter(round_id=round_id)
        return queryset


class DeliveryViewSet(ScopedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Delivery
    serializer_class = DeliverySerializer

    def get_queryset(self):
        return super().get_queryset().order_by("-delivered_on", "-id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not has_permission(request.user, "programmes.add_delivery"):
            raise NotFound
        entitlement = get_scoped_or_404(
            Entitlement.objects, request.user, "view", pk=data["entitlement"].pk
        )
        try:
            delivery, created = services.delivery_record(
                user=request.user,
                entitlement=entitlement,
                delivered_on=data["delivered_on"],
                amount=data.get("amount"),
                items=data.get("items", ""),
                acknowledged=data.get("acknowledged", False),
                acknowledged_how=data.get("acknowledged_how", Delivery.Acknowledgement.NONE),
                note=data.get("note", ""),
            )
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError(error.message_dict) from error
            raise ValidationError({"non_field_errors": error.messages}) from error
        return Response(
            DeliverySerializer(delivery).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def register(router) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("programme-rounds", RoundViewSet, basename="programme-round")
    router.register("entitlements", EntitlementViewSet, basename="entitlement")
    router.register("deliveries", DeliveryViewSet, basename="delivery")
