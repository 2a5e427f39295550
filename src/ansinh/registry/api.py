"""/api/v1/households/ and /api/v1/persons/: scoped like the pages.

Lists go through the user's scope (the person list through `search.person_search`, so the `q`
box and the filters mean the same as on the search page); details answer 404 outside it and
are audited as views; writes call the same services as the pages. Sensitive vulnerabilities
are left out for users without `SENSITIVE_REGISTRY` over the person.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ansinh.core.audit import audit_view
from ansinh.geo.models import AdminUnit, Locality
from ansinh.org.models import UnionUnit

from . import services
from .models import Household, Person
from .reference import ETHNICITIES, ETHNICITY_KINH
from .search import AGE_BANDS, STATUS_ANY, PersonFilters, person_search
from .selectors import visible_vulnerabilities


def _drf_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


# --------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------


class VulnerabilityLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="category.code")
    name = serializers.CharField(source="category.name")
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    verified_at = serializers.DateField(allow_null=True)


class NeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="category.code")
    name = serializers.CharField(source="category.name")
    state = serializers.CharField(source="status", help_text="open | met")
    opened_on = serializers.DateField()
    met_on = serializers.DateField(allow_null=True)


class ConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose_code = serializers.CharField(source="purpose")
    given_by_code = serializers.CharField(source="given_by")
    guardian_name = serializers.CharField()
    form_code = serializers.CharField(source="form")
    given_on = serializers.DateField()
    withdrawn_on = serializers.DateField(allow_null=True)


class StatusChangeSerializer(serializers.Serializer):
    status_code = serializers.CharField(source="status")
    effective = serializers.DateField()
    moved_to = serializers.IntegerField(source="moved_to_id", allow_null=True)
    note = serializers.CharField()


PERSON_FIELDS = [
    "id",
    "household",
    "unit",
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "citizen_id",
    "phone",
    "ethnicity",
    "relation",
    "is_union_member",
    "occupation",
    "record_number",
    "status",
    "is_deidentified",
]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = PERSON_FIELDS
        read_only_fields = PERSON_FIELDS


class PersonDetailSerializer(PersonSerializer):
    vulnerabilities = serializers.SerializerMethodField()
    needs = NeedSerializer(many=True, read_only=True)
    consents = ConsentSerializer(many=True, read_only=True)
    status_history = StatusChangeSerializer(many=True, read_only=True, source="status_changes")
    merged_into = serializers.IntegerField(source="merged_into_id", read_only=True, allow_null=True)

    class Meta(PersonSerializer.Meta):
        fields = [
            *PERSON_FIELDS,
            "merged_into",
            "vulnerabilities",
            "needs",
            "consents",
            "status_history",
        ]
        read_only_fields = fields

    @extend_schema_field(VulnerabilityLinkSerializer(many=True))
    def get_vulnerabilities(self, person: Person) -> list[dict]:
        user = self.context["request"].user
        links = visible_vulnerabilities(user=user, person=person)
        return VulnerabilityLinkSerializer(links, many=True).data


class PersonUpdateSerializer(serializers.Serializer):
    """The fields a PATCH/PUT may change; rules are the service's."""

    full_name = serializers.CharField(max_length=150, required=False)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    citizen_id = serializers.CharField(
        max_length=20, required=False, allow_blank=True, allow_null=True
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=ETHNICITIES, required=False)
    relation = serializers.ChoiceField(choices=Person.Relation.choices, required=False)
    is_union_member = serializers.BooleanField(required=False)
    occupation = serializers.CharField(max_length=120, required=False, allow_blank=True)
    record_number = serializers.CharField(max_length=40, required=False, allow_blank=True)


class MemberInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    sex = serializers.ChoiceField(choices=Person.Sex.choices)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    citizen_id = serializers.CharField(
        max_length=20, required=False, allow_blank=True, allow_null=True
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    ethnicity = serializers.ChoiceField(choices=ETHNICITIES, default=ETHNICITY_KINH)
    relation = serializers.ChoiceField(
        choices=Person.Relation.choices, default=Person.Relation.HEAD
    )
    is_union_member = serializers.BooleanField(default=False)
    occupation = serializers.CharField(max_length=120, required=False, allow_blank=True)
    record_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    vulnerabilities = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, help_text="Mã diện đối tượng"
    )
    needs = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, help_text="Mã nhu cầu"
    )

    def to_member(self, data: dict) -> services.MemberData:
        return services.MemberData(
            full_name=data["full_name"],
            sex=data["sex"],
            birth_date=data.get("birth_date"),
            birth_year=data.get("birth_year"),
            citizen_id=data.get("citizen_id") or None,
            phone=data.get("phone") or None,
            ethnicity=data.get("ethnicity") or ETHNICITY_KINH,
            relation=data.get("relation") or Person.Relation.HEAD,
            is_union_member=data.get("is_union_member", False),
            occupation=data.get("occupation") or "",
            record_number=data.get("record_number") or "",
            vulnerabilities=data.get("vulnerabilities") or [],
            needs=data.get("needs") or [],
        )


HOUSEHOLD_FIELDS = [
    "id",
    "unit",
    "commune",
    "locality",
    "address_line",
    "poverty_status",
    "poverty_standard",
    "poverty_year",
    "created_at",
]


class HouseholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS
        read_only_fields = HOUSEHOLD_FIELDS


class HouseholdDetailSerializer(HouseholdSerializer):
    members = serializers.SerializerMethodField()

    class Meta(HouseholdSerializer.Meta):
        fields = [*HOUSEHOLD_FIELDS, "members"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(many=True))
    def get_members(self, household: Household) -> list[dict]:
        user = self.context["request"].user
        members = Person.objects.restrict(user, "view").filter(household=household).order_by("id")
        return PersonSerializer(members, many=True).data


class HouseholdCreateSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=UnionUnit.objects.all())
    commune = serializers.PrimaryKeyRelatedField(
        queryset=AdminUnit.objects.all(), required=False, allow_null=True
    )
    locality = serializers.PrimaryKeyRelatedField(
        queryset=Locality.objects.all(), required=False, allow_null=True
    )
    address_line = serializers.CharField(max_length=255, required=False, allow_blank=True)
    poverty_status = serializers.ChoiceField(
        choices=Household.Poverty.choices, default=Household.Poverty.NONE
    )
    poverty_standard = serializers.CharField(max_length=20, required=False, allow_blank=True)
    poverty_year = serializers.IntegerField(required=False, allow_null=True)
    members = MemberInputSerializer(many=True)


# --------------------------------------------------------------------------------------
# Viewsets
# --------------------------------------------------------------------------------------


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Họ tên (không dấu, gõ sai), số CCCD, SĐT"),
            OpenApiParameter("unit", int, description="Cơ sở Hội (cả cây con)"),
            OpenApiParameter("category", str, description="Mã diện đối tượng"),
            OpenApiParameter("sex", str, enum=Person.Sex.values),
            OpenApiParameter("age_band", str, enum=list(AGE_BANDS)),
            OpenApiParameter("poverty", str, enum=Household.Poverty.values),
            OpenApiParameter("need", str, description="Mã nhu cầu chưa đáp ứng"),
            OpenApiParameter(
                "status",
                str,
                enum=[*services.MANUAL_STATUSES, Person.Status.MERGED, STATUS_ANY],
                description="Mặc định: đang quản lý",
            ),
        ]
    ),
    update=extend_schema(request=PersonUpdateSerializer, responses=PersonDetailSerializer),
    partial_update=extend_schema(request=PersonUpdateSerializer, responses=PersonDetailSerializer),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People the caller may see; out of scope (and for an aggregate viewer) 404."""

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            params = self.request.query_params
            filters = PersonFilters(
                unit_id=_int(params.get("unit")),
                category=params.get("category") or "",
                sex=params.get("sex") or "",
                age_band=params.get("age_band") or "",
                poverty=params.get("poverty") or "",
                need=params.get("need") or "",
                status=params.get("status") or Person.Status.ACTIVE,
            )
            return person_search(user=user, query=params.get("q") or "", filters=filters)
        action = "change" if self.action in ("update", "partial_update") else "view"
        return Person.objects.restrict(user, action).select_related("household")

    def get_serializer_class(self):
        if self.action == "list":
            return PersonSerializer
        if self.action in ("update", "partial_update"):
            return PersonUpdateSerializer
        return PersonDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        audit_view(actor=request.user, obj=person)
        return Response(PersonDetailSerializer(person, context={"request": request}).data)

    def update(self, request, *args, **kwargs):
        person = self.get_object()
        # Every field is optional: PUT and PATCH both change only what is sent.
        serializer = PersonUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            person = services.person_update(
                user=request.user, person=person, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        return Response(PersonDetailSerializer(person, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("unit", int, description="Cơ sở Hội (cả cây con)"),
            OpenApiParameter("commune", int, description="Xã/phường (id)"),
            OpenApiParameter("poverty", str, enum=Household.Poverty.values),
        ]
    ),
    create=extend_schema(request=HouseholdCreateSerializer, responses=HouseholdDetailSerializer),
)
class HouseholdViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Households the caller may see; `POST` registers one with all its members."""

    def get_queryset(self):
        queryset = Household.objects.restrict(self.request.user, "view")
        if self.action == "list":
            params = self.request.query_params
            unit_id = _int(params.get("unit"))
            if unit_id:
                unit = UnionUnit.objects.filter(pk=unit_id).only("path").first()
                queryset = (
                    queryset.filter(scope_path__startswith=unit.path) if unit else queryset.none()
                )
            commune_id = _int(params.get("commune"))
            if commune_id:
                queryset = queryset.filter(commune_id=commune_id)
            if params.get("poverty"):
                queryset = queryset.filter(poverty_status=params["poverty"])
        return queryset.order_by("-id")

    def get_serializer_class(self):
        if self.action == "list":
            return HouseholdSerializer
        if self.action == "create":
            return HouseholdCreateSerializer
        return HouseholdDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        audit_view(actor=request.user, obj=household)
        return Response(HouseholdDetailSerializer(household, context={"request": request}).data)

    def create(self, request, *args, **kwargs):
        serializer = HouseholdCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member_serializer = MemberInputSerializer()
        try:
            household = services.household_register(
                user=request.user,
                unit=data["unit"],
                commune=data.get("commune"),
                locality=data.get("locality"),
                address_line=data.get("address_line") or "",
                poverty_status=data["poverty_status"],
                poverty_standard=data.get("poverty_standard") or "",
                poverty_year=data.get("poverty_year"),
                members=[member_serializer.to_member(member) for member in data["members"]],
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        return Response(
            HouseholdDetailSerializer(household, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("households", HouseholdViewSet, basename="household")
    router.register("persons", PersonViewSet, basename="person")
