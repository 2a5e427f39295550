"""/api/v1/union-units/ and /api/v1/departments/: read-only, scoped like the pages."""

from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from . import selectors
from .models import Department, UnionUnit, UnionUnitSuccession


class UnionUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    admin_unit_code = serializers.CharField(source="admin_unit.code", default=None, read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = UnionUnit
        fields = [
            "id",
            "kind",
            "kind_display",
            "code",
            "name",
            "parent",
            "path",
            "admin_unit",
            "admin_unit_code",
            "locality",
            "valid_from",
            "valid_to",
            "is_current",
        ]
        read_only_fields = fields


class SuccessionLinkSerializer(serializers.Serializer):
    """The unit on the other side of a merger, how (whole/part) and when."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    takes_population = serializers.BooleanField()
    effective = serializers.DateField()
    note = serializers.CharField()


def _link(row: UnionUnitSuccession, unit: UnionUnit) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": row.kind,
        "takes_population": row.takes_population,
        "effective": row.effective,
        "note": row.note,
    }


class UnionUnitDetailSerializer(UnionUnitSerializer):
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()

    class Meta(UnionUnitSerializer.Meta):
        fields = [*UnionUnitSerializer.Meta.fields, "predecessors", "successors"]
        read_only_fields = fields

    @extend_schema_field(SuccessionLinkSerializer(many=True))
    def get_predecessors(self, unit: UnionUnit) -> list[dict]:
        return [_link(row, row.old) for row in unit.predecessions.all()]

    @extend_schema_field(SuccessionLinkSerializer(many=True))
    def get_successors(self, unit: UnionUnit) -> list[dict]:
        return [_link(row, row.new) for row in unit.successions.all()]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=UnionUnit.Kind.values),
            OpenApiParameter(
                "current", bool, description="true: đang hoạt động; false: đã ngừng/sáp nhập"
            ),
            OpenApiParameter("parent", int),
            OpenApiParameter("q", str, description="Tên (không phân biệt dấu) hoặc mã"),
        ]
    )
)
class UnionUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Union units the caller may see; out of scope answers 404."""

    serializer_class = UnionUnitSerializer

    def get_queryset(self):
        params = self.request.query_params
        current = (params.get("current") or "").lower()
        status = {"true": "current", "1": "current", "false": "closed", "0": "closed"}.get(
            current, "all"
        )
        queryset = selectors.union_unit_list(
            user=self.request.user,
            filters={
                "kind": params.get("kind"),
                "status": status,
                "parent": params.get("parent"),
                "q": params.get("q"),
            },
        )
        if self.action == "retrieve":
            # Only the links the caller may see (a split old union must not reveal the other
            # commune's union), as on the page.
            links = UnionUnitSuccession.objects.restrict(self.request.user, "view")
            queryset = queryset.prefetch_related(
                Prefetch(
                    "predecessions",
                    queryset=links.select_related("old").order_by("old__code"),
                ),
                Prefetch(
                    "successions",
                    queryset=links.select_related("new").order_by("new__code"),
                ),
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return UnionUnitDetailSerializer
        return UnionUnitSerializer


class DepartmentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "union", "code", "name", "kind", "kind_display", "order"]
        read_only_fields = fields


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments (ban) of the unions the caller may see."""

    serializer_class = DepartmentSerializer

    def get_queryset(self):
        return selectors.department_list(user=self.request.user)


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("union-units", UnionUnitViewSet, basename="union-unit")
    router.register("departments", DepartmentViewSet, basename="department")
