"""/api/v1/units/: administrative units, read-only (reference data, not scoped)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from . import selectors
from .models import AdminUnit, AdminUnitSuccession


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdminUnit
        fields = ["id", "era", "level", "code", "name"]


class UnitSerializer(serializers.ModelSerializer):
    parent = UnitBriefSerializer(read_only=True)

    class Meta:
        model = AdminUnit
        fields = [
            "id",
            "era",
            "level",
            "code",
            "name",
            "short_name",
            "unit_type",
            "province_code",
            "parent",
            "valid_from",
            "valid_to",
        ]


class SuccessionSerializer(serializers.ModelSerializer):
    new = UnitBriefSerializer(read_only=True)

    class Meta:
        model = AdminUnitSuccession
        fields = ["new", "kind", "takes_population", "note"]


class OldUnitSerializer(UnitBriefSerializer):
    parent = UnitBriefSerializer(read_only=True)

    class Meta(UnitBriefSerializer.Meta):
        fields = [*UnitBriefSerializer.Meta.fields, "parent"]


class PredecessionSerializer(serializers.ModelSerializer):
    old = OldUnitSerializer(read_only=True)
    old_is_split = serializers.SerializerMethodField()

    class Meta:
        model = AdminUnitSuccession
        fields = ["old", "kind", "takes_population", "old_is_split", "note"]

    def get_old_is_split(self, obj) -> bool:
        return obj.old_successor_count > 1


class UnitDetailSerializer(UnitSerializer):
    successions = serializers.SerializerMethodField()
    predecessions = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "successions", "predecessions"]

    @extend_schema_field(SuccessionSerializer(many=True))
    def get_successions(self, obj) -> list[dict]:
        return SuccessionSerializer(selectors.unit_successions(unit=obj), many=True).data

    @extend_schema_field(PredecessionSerializer(many=True))
    def get_predecessions(self, obj) -> list[dict]:
        return PredecessionSerializer(selectors.unit_predecessions(unit=obj), many=True).data


FILTERS = [
    OpenApiParameter("era", str, enum=AdminUnit.Era.values, description="pre2025 | post2025"),
    OpenApiParameter("level", str, enum=AdminUnit.Level.values),
    OpenApiParameter("province", str, description="Mã tỉnh (của thời kỳ tương ứng), vd 01"),
    OpenApiParameter("parent", int, description="id của đơn vị cấp trên"),
    OpenApiParameter("q", str, description="Tên (không phân biệt dấu) hoặc mã"),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative units of both eras; the detail says what an old unit became and which
    old units formed a new one."""

    serializer_class = UnitSerializer

    def get_queryset(self):
        if self.action != "list":
            return AdminUnit.objects.select_related("parent")
        params = self.request.query_params
        era = params.get("era", "")
        level = params.get("level", "")
        if era and era not in AdminUnit.Era.values:
            raise serializers.ValidationError({"era": [_("Thời kỳ không hợp lệ.")]})
        if level and level not in AdminUnit.Level.values:
            raise serializers.ValidationError({"level": [_("Cấp không hợp lệ.")]})
        parent = params.get("parent", "")
        if parent and not parent.isdigit():
            raise serializers.ValidationError({"parent": [_("Mã đơn vị cấp trên phải là số.")]})
        return selectors.unit_list(
            era=era,
            level=level,
            province_code=params.get("province", ""),
            parent_id=int(parent) if parent else None,
            query=params.get("q", ""),
        )

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("units", UnitViewSet, basename="unit")
