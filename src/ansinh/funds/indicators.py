"""Report figures computed from the funds data (see ansinh.core.indicators)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from ansinh.core.indicators import indicator

from .models import Allocation, Donation


@indicator(code="MONEY_RAISED", name=_("Số tiền vận động được"), unit=_("đồng"))
def money_raised(*, start, end, by=None) -> dict:
    """Cash and bank gifts received in the period, by the campaign's union unit."""
    rows = (
        Donation.objects.exclude(kind=Donation.Kind.IN_KIND)
        .filter(received_on__gte=start, received_on__lte=end)
        .values("campaign__unit__path")
        .annotate(total=Sum("amount"))
    )
    return {row["campaign__unit__path"]: row["total"] for row in rows}


@indicator(
    code="MONEY_DISTRIBUTED", name=_("Số tiền đã phân bổ cho người thụ hưởng"), unit=_("đồng")
)
def money_distributed(*, start, end, by=None) -> dict:
    """Money allocated to programme rounds in the period, by the round's union unit."""
    rows = (
        Allocation.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
        .values("round__scope_path")
        .annotate(total=Sum("amount"))
    )
    return {row["round__scope_path"]: row["total"] for row in rows if row["total"]}
