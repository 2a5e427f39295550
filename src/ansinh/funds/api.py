"""/api/v1/ endpoints of the funds app: read, scoped like the pages; campaigns can be created
and donations recorded through the same services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from ansinh.accounts.permissions import has_permission
from ansinh.core.scoping import get_scoped_or_404
from ansinh.org.models import UnionUnit

from . import selectors, services
from .models import Allocation, Campaign, Donation, Donor, JournalEntry


def _drf_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


class DonorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Donor
        fields = ["id", "kind", "name", "shows_name_publicly", "unit", "created_at"]


class CampaignSerializer(serializers.ModelSerializer):
    totals = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "title",
            "purpose",
            "unit",
            "receive_from",
            "receive_until",
            "bank_account",
            "target",
            "is_public",
            "totals",
        ]

    def get_totals(self, campaign) -> dict:
        totals = selectors.campaign_totals(campaign)
        return {
            "received": totals.received,
            "received_in_kind": totals.received_in_kind,
            "donations": totals.donations,
            "allocated": totals.allocated,
            "delivered": totals.delivered,
            "balance": totals.balance,
        }


class DonationSerializer(serializers.ModelSerializer):
    campaign_slug = serializers.CharField(source="campaign.slug", read_only=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "campaign",
            "campaign_slug",
            "kind",
            "amount",
            "received_on",
            "donor",
            "donor_name",
            "memo",
            "receipt_number",
            "review",
        ]
        read_only_fields = ["receipt_number", "review", "donor"]
        # As the page form: a memo is short (and sits in a b-tree entry, funds 0005).
        extra_kwargs = {"memo": {"max_length": 500}}


class AllocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allocation
        fields = [
            "id",
            "campaign",
            "round",
            "delivery",
            "amount",
            "item",
            "quantity",
            "note",
            "created_at",
        ]


class JournalEntrySerializer(serializers.ModelSerializer):
    postings = serializers.SerializerMethodField()

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "seq",
            "occurred_on",
            "recorded_at",
            "description",
            "reference",
            "campaign",
            "previous_hash",
            "hash",
            "postings",
        ]

    def get_postings(self, entry) -> list:
        return [[p.account.code, p.amount] for p in entry.postings.all()]


class ScopedReadMixin:
    model = None
    related: tuple = ()
    ordering: tuple = ("-id",)

    def get_queryset(self):
        return (
            self.model.objects.restrict(self.request.user, "view")
            .select_related(*self.related)
            .order_by(*self.ordering)
        )


class DonorViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    model = Donor
    serializer_class = DonorSerializer


class CampaignViewSet(ScopedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Campaign
    related = ("unit",)
    serializer_class = CampaignSerializer

    def create(self, request, *args, **kwargs):
        if not has_permission(request.user, "funds.add_campaign"):
            raise NotFound
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = get_scoped_or_404(UnionUnit.objects, request.user, "view", pk=data["unit"].pk)
        try:
            campaign = services.campaign_create(
                actor=request.user,
                slug=data["slug"],
                title=data["title"],
                purpose=data.get("purpose", ""),
                unit=unit,
                receive_from=data["receive_from"],
                receive_until=data["receive_until"],
                bank_account=data.get("bank_account", ""),
                target=data.get("target", 0),
                is_public=data.get("is_public", True),
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class DonationViewSet(ScopedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Donation
    related = ("campaign",)
    serializer_class = DonationSerializer
    ordering = ("-received_on", "-id")

    def get_queryset(self):
        queryset = super().get_queryset()
        campaign = self.request.query_params.get("campaign")
        return queryset.filter(campaign__slug=campaign) if campaign else queryset

    def create(self, request, *args, **kwargs):
        if not has_permission(request.user, "funds.add_donation"):
            raise NotFound
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        campaign = get_scoped_or_404(Campaign.objects, request.user, "view", pk=data["campaign"].pk)
        if data["kind"] == Donation.Kind.IN_KIND:
            raise ValidationError({"kind": ["Ủng hộ hiện vật được ghi trên trang (kèm mặt hàng)."]})
        try:
            donation = services.donation_record(
                actor=request.user,
                campaign=campaign,
                kind=data["kind"],
                amount=data["amount"],
                received_on=data["received_on"],
                donor_name=data.get("donor_name", ""),
                memo=data.get("memo", ""),
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        return Response(DonationSerializer(donation).data, status=status.HTTP_201_CREATED)


class AllocationViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    model = Allocation
    serializer_class = AllocationSerializer


class JournalEntryViewSet(ScopedReadMixin, viewsets.ReadOnlyModelViewSet):
    model = JournalEntry
    serializer_class = JournalEntrySerializer
    ordering = ("seq",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("postings__account")


def register(router) -> None:
    """Register this app's viewsets on the one /api/v1/ router."""
    router.register("donors", DonorViewSet, basename="donor")
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("donations", DonationViewSet, basename="donation")
    router.register("allocations", AllocationViewSet, basename="allocation")
    router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")
