"""/api/v1/programmes/, rounds/, entitlements/, deliveries/, loans/, training-courses/,
training-enrolments/, job-referrals/: read, scoped like the pages; deliveries, loans and job
referrals can be recorded (POST) through the same services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from ansinh.accounts.permissions import has_permission
from ansinh.core.scoping import get_scoped_or_404
from ansinh.registry.models import Person

from . import livelihood, services, sponsorship
from .models import (
    Delivery,
    Entitlement,
    JobReferral,
    LoanFacilitation,
    Programme,
    Round,
    Sponsorship,
    TrainingCourse,
    TrainingEnrolment,
)


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


def _service_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


class LoanSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    # A plain id: the person is looked up through the user's scope (404 outside), so the
    # answer never tells whether someone exists elsewhere.
    person = serializers.IntegerField(source="person_id", min_value=1)

    class Meta:
        model = LoanFacilitation
        fields = [
            "id",
            "person",
            "person_name",
            "bank",
            "bank_name",
            "group_name",
            "amount",
            "purpose",
            "applied_on",
            "disbursed_on",
            "term_months",
            "status",
            "note",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]


class CreateThroughServiceMixin:
    """POST goes through the module's service: the person is re-read through the user's
    scope (404 outside), the service validates, audits and re-checks the scope."""

    add_permission = ""
    service = None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not has_permission(request.user, self.add_permission):
            raise NotFound
        data = dict(serializer.validated_data)
        person = get_scoped_or_404(Person.objects, request.user, "view", pk=data.pop("person_id"))
        try:
            obj = type(self).service(user=request.user, person=person, **data)
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class LoanViewSet(
    CreateThroughServiceMixin,
    ScopedReadMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    model = LoanFacilitation
    related = ("person",)
    serializer_class = LoanSerializer
    add_permission = "programmes.add_loanfacilitation"
    service = staticmethod(livelihood.loan_create)

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-applied_on", "-id")
        status_ = self.request.query_params.get("status")
        return queryset.filter(status=status_) if status_ else queryset


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingCourse
        fields = ["id", "title", "provider", "occupation", "unit", "starts_on", "ends_on", "note"]


class CourseViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    model = TrainingCourse
    related = ("unit",)
    serializer_class = CourseSerializer

    def get_queryset(self):
        return super().get_queryset().order_by("-starts_on", "-id")


class EnrolmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = TrainingEnrolment
        fields = [
            "id",
            "course",
            "person",
            "person_name",
            "completed",
            "completed_on",
            "certificate",
            "outcome_3m",
            "outcome_3m_checked_on",
            "outcome_6m",
            "outcome_6m_checked_on",
        ]


class EnrolmentViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    model = TrainingEnrolment
    related = ("person",)
    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        queryset = super().get_queryset().order_by("course_id", "id")
        course = self.request.query_params.get("course")
        return queryset.filter(course_id=course) if course and course.isdigit() else queryset


class ReferralSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    # A plain id: the person is looked up through the user's scope (404 outside), so the
    # answer never tells whether someone exists elsewhere.
    person = serializers.IntegerField(source="person_id", min_value=1)

    class Meta:
        model = JobReferral
        fields = [
            "id",
            "person",
            "person_name",
            "employer",
            "position",
            "referred_on",
            "outcome",
            "starts_on",
            "note",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ReferralViewSet(
    CreateThroughServiceMixin,
    ScopedReadMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    model = JobReferral
    related = ("person",)
    serializer_class = ReferralSerializer
    add_permission = "programmes.add_jobreferral"
    service = staticmethod(livelihood.referral_create)

    def get_queryset(self):
        return super().get_queryset().order_by("-referred_on", "-id")


class SponsorshipSerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    sponsor_name = serializers.CharField(source="sponsor.name", read_only=True)
    # Plain ids, looked up through the user's scope (404 outside).
    child = serializers.IntegerField(source="child_id", min_value=1)
    sponsor = serializers.IntegerField(source="sponsor_id", min_value=1)

    class Meta:
        model = Sponsorship
        fields = [
            "id",
            "programme",
            "sponsor",
            "sponsor_name",
            "child",
            "child_name",
            "monthly_amount",
            "starts_on",
            "ends_on",
            "end_reason",
            "end_note",
            "note",
            "created_at",
        ]
        read_only_fields = ["programme", "ends_on", "end_reason", "end_note", "created_at"]


class SponsorshipViewSet(ScopedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Sponsorship
    related = ("child", "sponsor")
    serializer_class = SponsorshipSerializer

    def get_queryset(self):
        return super().get_queryset().order_by("-starts_on", "-id")

    def create(self, request, *args, **kwargs):
        from ansinh.funds.models import Donor

        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not has_permission(request.user, "programmes.add_sponsorship"):
            raise NotFound
        data = dict(serializer.validated_data)
        child = get_scoped_or_404(Person.objects, request.user, "view", pk=data.pop("child_id"))
        sponsor = get_scoped_or_404(Donor.objects, request.user, "view", pk=data.pop("sponsor_id"))
        try:
            item = sponsorship.sponsorship_create(
                user=request.user, sponsor=sponsor, child=child, **data
            )
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("programme-rounds", RoundViewSet, basename="programme-round")
    router.register("entitlements", EntitlementViewSet, basename="entitlement")
    router.register("deliveries", DeliveryViewSet, basename="delivery")
    router.register("loans", LoanViewSet, basename="loan")
    router.register("training-courses", CourseViewSet, basename="training-course")
    router.register("training-enrolments", EnrolmentViewSet, basename="training-enrolment")
    router.register("job-referrals", ReferralViewSet, basename="job-referral")
    router.register("sponsorships", SponsorshipViewSet, basename="sponsorship")
