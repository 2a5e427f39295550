"""Writes of the programmes module. Every service is keyword-only, atomic and audited, and
re-checks the user's scope inside the transaction (`ensure_in_scope`), so an out-of-scope
write rolls back and answers 404."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import SENSITIVE_REGISTRY, has_permission
from ansinh.core.audit import audit_create, audit_record, audit_update, snapshot
from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope, ensure_in_scope, get_scoped_or_404
from ansinh.org.models import UnionUnit
from ansinh.registry.models import Person
from ansinh.rules.errors import RuleError
from ansinh.rules.person import sensitive_categories
from ansinh.rules.selectors import person_select
from ansinh.rules.services import rule_parse

from .models import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    Delivery,
    Entitlement,
    Programme,
    Round,
    RoundQuota,
)
from .reach import reach_add, reach_rebuild, reach_refresh  # noqa: F401  (re-exported)

ROUND_FIELDS = [
    "programme",
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
    "reference_date",
]


def rule_check(*, user, text: str):
    """Parse an eligibility rule; a ValidationError with the pointed Vietnamese message when
    it is wrong or names a sensitive category the user may not use."""
    try:
        rule = rule_parse(text)
    except RuleError as error:
        raise ValidationError(str(error), code="rule") from error
    sensitive = sensitive_categories(rule)
    if sensitive and not has_permission(user, SENSITIVE_REGISTRY):
        raise ValidationError(
            _("Quy tắc dùng diện nhạy cảm (%(codes)s): bạn không có quyền dùng các diện này.")
            % {"codes": ", ".join(sensitive)},
            code="sensitive",
        )
    return rule


def programme_update(*, user, programme: Programme, **fields) -> Programme:
    """Change a programme (name, kind, owner, rule, active); the rule is checked first."""
    if not has_permission(user, "programmes.change_programme"):
        raise OutOfScope("programme")
    if "eligibility_rule" in fields and fields["eligibility_rule"].strip():
        try:
            rule_check(user=user, text=fields["eligibility_rule"])
        except ValidationError as error:
            raise ValidationError({"eligibility_rule": error.messages}) from error
    names = list(fields)
    with transaction.atomic():
        before = snapshot(programme, names)
        for name, value in fields.items():
            setattr(programme, name, value)
        programme.full_clean()
        programme.save()
        audit_update(actor=user, obj=programme, before=before, fields=names)
    return programme


def commune_of(path: str, communes: dict[str, UnionUnit]) -> UnionUnit | None:
    """The commune union (among `communes`, keyed by path) whose subtree holds `path`."""
    parts = path.strip("/").split("/")
    for depth in range(len(parts), 0, -1):
        unit = communes.get("/" + "/".join(parts[:depth]) + "/")
        if unit is not None:
            return unit
    return None


def communes_for(unit: UnionUnit) -> dict[str, UnionUnit]:
    """Commune unions under `unit` (or the commune holding it), keyed by path."""
    under = UnionUnit.objects.filter(kind=UnionUnit.Kind.COMMUNE, path__startswith=unit.path)
    communes = {u.path: u for u in under}
    if not communes:
        parts = unit.path.strip("/").split("/")
        prefixes = ["/" + "/".join(parts[:d]) + "/" for d in range(1, len(parts) + 1)]
        for u in UnionUnit.objects.filter(kind=UnionUnit.Kind.COMMUNE, path__in=prefixes):
            communes[u.path] = u
    return communes


def round_create(
    *,
    user,
    programme: Programme,
    unit: UnionUnit,
    title: str,
    budget: int = 0,
    funding_source: str = "",
    amount_per_person: int = 0,
    items: str = "",
    rule: str = "",
    quota_mode: str = Round.QuotaMode.NONE,
    quotas: dict[str, int] | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    reference_date: dt.date | None = None,
) -> Round:
    """Propose a round of `programme` for `unit` (the rule defaults to the programme's).

    `quotas` maps commune codes to a fixed number of people (quota mode "fixed")."""
    text = (rule or programme.eligibility_rule or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["rule"] = [_("Chưa có điều kiện xét chọn.")]
    else:
        try:
            rule_check(user=user, text=text)
        except ValidationError as error:
            errors["rule"] = error.messages
    if budget < 0 or amount_per_person < 0:
        errors["budget"] = [_("Kinh phí và mức hỗ trợ không được âm.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("Ngày kết thúc trước ngày bắt đầu.")]
    communes = {u.code: u for u in communes_for(unit).values()}
    quota_rows = []
    if quota_mode == Round.QuotaMode.FIXED:
        if not quotas:
            errors["quotas"] = [_("Chỉ tiêu cố định cần ít nhất một xã/phường.")]
        for code, quota in (quotas or {}).items():
            if code not in communes:
                errors.setdefault("quotas", []).append(
                    _("Không có Hội xã/phường mã %(code)s trong phạm vi đơn vị đề xuất.")
                    % {"code": code}
                )
            elif quota < 0:
                errors.setdefault("quotas", []).append(_("Chỉ tiêu không được âm."))
            else:
                quota_rows.append((communes[code], quota))
    if quota_mode == Round.QuotaMode.PROPORTIONAL and amount_per_person <= 0:
        errors["amount_per_person"] = [
            _("Chia theo tỷ lệ cần mức hỗ trợ mỗi người để tính số suất từ kinh phí.")
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round_ = Round.objects.create(
            programme=programme,
            unit=unit,
            scope_path=unit.path,
            title=title.strip(),
            budget=budget,
            funding_source=funding_source.strip(),
            amount_per_person=amount_per_person,
            items=items.strip(),
            rule=text,
            quota_mode=quota_mode,
            starts_on=starts_on,
            ends_on=ends_on,
            reference_date=reference_date,
            proposed_by=user,
        )
        RoundQuota.objects.bulk_create(
            [RoundQuota(round=round_, unit=u, quota=q) for u, q in quota_rows]
        )
        ensure_in_scope(round_, user, "add")
        audit_create(actor=user, obj=round_, fields=ROUND_FIELDS)
    return round_


def _largest_remainder(total: int, weights: dict[int, int]) -> dict[int, int]:
    """Split `total` slots in proportion to `weights` (largest remainder; ties by key)."""
    whole = sum(weights.values())
    if whole == 0:
        return dict.fromkeys(weights, 0)
    total = min(total, whole)
    shares = {key: total * w // whole for key, w in weights.items()}
    left = total - sum(shares.values())
    order = sorted(weights, key=lambda k: (-(total * weights[k] % whole), k))
    for key in order[:left]:
        shares[key] += 1
    return shares


def _locked_round(user, round_: Round, action: str) -> Round:
    """The round re-read through the user's scope for `action` and locked (404 outside)."""
    return get_scoped_or_404(
        Round.objects.select_for_update(of=("self",)), user, action, pk=round_.pk
    )


def round_generate_candidates(*, user, round: Round) -> int:  # noqa: A002
    """Fill the round's candidate list from its rule: ONE query over the active people in the
    round's scope who are not yet on this round, ranked in each commune (oldest first, then
    registration order) and cut at the commune's quota. Returns how many were added."""
    with transaction.atomic():
        round_ = _locked_round(user, round, "change")
        if round_.status not in (Round.Status.DRAFT, Round.Status.CANDIDATES):
            raise ValidationError(
                _("Chỉ lập danh sách khi đợt đang ở trạng thái nháp hoặc đang xét.")
            )
        rule = rule_parse(round_.rule)
        today = round_.reference_date or timezone.localdate()
        people = Person.objects.filter(
            status=Person.Status.ACTIVE, scope_path__startswith=round_.scope_path
        ).exclude(entitlements__round=round_)
        rows = list(
            person_select(rule=rule, people=people, today=today)
            .order_by("birth_date", "birth_year", "pk")
            .values_list("pk", "scope_path")
        )
        communes = communes_for(round_.unit)
        by_commune: dict[int, list[int]] = defaultdict(list)
        for pk, path in rows:
            commune = commune_of(path, communes)
            if commune is not None:
                by_commune[commune.pk].append(pk)
        existing = dict(
            round_.entitlements.exclude(status=Entitlement.Status.REMOVED)
            .values_list("commune_unit")
            .annotate(n=Count("pk"))
        )
        quotas = {q.unit_id: q for q in round_.quotas.all()}
        eligible = {pk: len(ids) + existing.get(pk, 0) for pk, ids in by_commune.items()}
        for unit_pk, count in existing.items():
            eligible.setdefault(unit_pk, count)
        if round_.quota_mode == Round.QuotaMode.PROPORTIONAL:
            slots = round_.budget // round_.amount_per_person
            limits = _largest_remainder(slots, eligible)
        elif round_.quota_mode == Round.QuotaMode.FIXED:
            limits = {pk: (quotas[pk].quota or 0) if pk in quotas else 0 for pk in eligible}
        else:
            limits = dict(eligible)
        created = []
        units = {u.pk: u for u in communes.values()}
        for unit_pk, ids in sorted(by_commune.items()):
            room = max(0, limits.get(unit_pk, 0) - existing.get(unit_pk, 0))
            start = existing.get(unit_pk, 0)
            for offset, pk in enumerate(ids[:room]):
                created.append(
                    Entitlement(
                        round=round_,
                        person_id=pk,
                        commune_unit=units[unit_pk],
                        rank=start + offset + 1,
                        amount=round_.amount_per_person,
                    )
                )
        Entitlement.objects.bulk_create(created, batch_size=2000)
        new_quotas = []
        for unit_pk, count in eligible.items():
            quota = quotas.get(unit_pk)
            limit = limits.get(unit_pk, 0)
            if quota is None:
                new_quotas.append(
                    RoundQuota(round=round_, unit=units[unit_pk], quota=limit, eligible=count)
                )
            else:
                quota.eligible = count
                if round_.quota_mode == Round.QuotaMode.PROPORTIONAL:
                    quota.quota = limit
                quota.save(update_fields=["eligible", "quota"])
        RoundQuota.objects.bulk_create(new_quotas)
        before = snapshot(round_, ["status"])
        round_.status = Round.Status.CANDIDATES
        round_.save(update_fields=["status"])
        audit_update(actor=user, obj=round_, before=before, fields=["status"])
        audit_record(
            action=AuditEvent.Action.OTHER,
            actor=user,
            obj=round_,
            changes={"candidates_added": len(created)},
        )
    return len(created)


def _check_reviewable(entitlement: Entitlement) -> None:
    if entitlement.round.status != Round.Status.CANDIDATES or entitlement.round.submitted_at:
        raise ValidationError(
            _("Danh sách của đợt này không còn được sửa (đã trình duyệt hoặc đã duyệt).")
        )


def entitlement_remove(*, user, entitlement: Entitlement, reason: str) -> Entitlement:
    """Take a candidate off the list (commune review); the reason is required."""
    reason = (reason or "").strip()
    with transaction.atomic():
        entitlement = get_scoped_or_404(
            Entitlement.objects.select_for_update(of=("self",)).select_related("round"),
            user,
            "change",
            pk=entitlement.pk,
        )
        if not reason:
            raise ValidationError({"reason": [_("Cần ghi lý do đưa ra khỏi danh sách.")]})
        _check_reviewable(entitlement)
        if entitlement.status != Entitlement.Status.CANDIDATE:
            raise ValidationError(_("Người này không còn trong danh sách đề xuất."))
        fields = ["status", "reason", "added_by"]
        before = snapshot(entitlement, fields)
        entitlement.status = Entitlement.Status.REMOVED
        entitlement.reason = reason[:255]
        entitlement.added_by = user
        entitlement.save(update_fields=fields)
        ensure_in_scope(entitlement, user, "change")
        audit_update(actor=user, obj=entitlement, before=before, fields=fields)
    return entitlement


def entitlement_add(*, user, round: Round, person: Person, reason: str) -> Entitlement:  # noqa: A002
    """Add a person the rule did not select (or put a removed one back), with a reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        round_ = get_scoped_or_404(Round.objects.select_related("unit"), user, "view", pk=round.pk)
        person = get_scoped_or_404(Person.objects, user, "view", pk=person.pk)
        if not reason:
            raise ValidationError({"reason": [_("Cần ghi lý do bổ sung vào danh sách.")]})
        if round_.status != Round.Status.CANDIDATES or round_.submitted_at:
            raise ValidationError(
                _("Danh sách của đợt này không còn được sửa (đã trình duyệt hoặc đã duyệt).")
            )
        if person.status != Person.Status.ACTIVE:
            raise ValidationError(_("Chỉ bổ sung người đang quản lý."))
        if not person.scope_path.startswith(round_.scope_path):
            raise ValidationError(_("Người này không thuộc phạm vi của đợt."))
        existing = (
            Entitlement.objects.select_for_update(of=("self",))
            .filter(round=round_, person=person)
            .first()
        )
        fields = ["status", "reason", "added_by", "origin"]
        if existing is not None:
            if existing.status != Entitlement.Status.REMOVED:
                raise ValidationError(_("Người này đã có trong danh sách của đợt."))
            before = snapshot(existing, fields)
            existing.status = Entitlement.Status.CANDIDATE
            existing.reason = reason[:255]
            existing.added_by = user
            existing.origin = Entitlement.Origin.ADDED
            existing.save(update_fields=fields)
            ensure_in_scope(existing, user, "add")
            audit_update(actor=user, obj=existing, before=before, fields=fields)
            return existing
        commune = commune_of(person.scope_path, communes_for(round_.unit))
        rank = Entitlement.objects.filter(round=round_, commune_unit=commune).count() + 1
        try:
            with transaction.atomic():
                entitlement = Entitlement.objects.create(
                    round=round_,
                    person=person,
                    commune_unit=commune,
                    rank=rank,
                    amount=round_.amount_per_person,
                    origin=Entitlement.Origin.ADDED,
                    reason=reason[:255],
                    added_by=user,
                )
        except IntegrityError as error:
            raise ValidationError(_("Người này đã có trong danh sách của đợt.")) from error
        ensure_in_scope(entitlement, user, "add")
        audit_create(
            actor=user, obj=entitlement, fields=["round", "person", "amount", "origin", "reason"]
        )
    return entitlement


def round_submit(*, user, round: Round) -> Round:  # noqa: A002
    """The proposer sends the reviewed list for approval."""
    with transaction.atomic():
        round_ = _locked_round(user, round, "change")
        if round_.status != Round.Status.CANDIDATES or round_.submitted_at:
            raise ValidationError(_("Chỉ trình duyệt đợt đang xét danh sách, chưa trình."))
        if not round_.entitlements.filter(status=Entitlement.Status.CANDIDATE).exists():
            raise ValidationError(_("Danh sách đề xuất đang trống."))
        before = snapshot(round_, ["submitted_at"])
        round_.submitted_at = timezone.now()
        round_.save(update_fields=["submitted_at"])
        audit_update(actor=user, obj=round_, before=before, fields=["submitted_at"])
    return round_


def round_approve(*, user, round: Round) -> Round:  # noqa: A002
    """Approve a submitted round (programmes.approve_round; never by its proposer)."""
    with transaction.atomic():
        round_ = _locked_round(user, round, "approve")
        if round_.proposed_by_id == user.pk:
            raise ValidationError(
                _("Người đề xuất đợt không được tự phê duyệt; cần một người khác phê duyệt.")
            )
        if round_.status != Round.Status.CANDIDATES or not round_.submitted_at:
            raise ValidationError(_("Đợt chưa được trình duyệt."))
        fields = ["status", "approved_by", "approved_at"]
        before = snapshot(round_, fields)
        round_.status = Round.Status.APPROVED
        round_.approved_by = user
        round_.approved_at = timezone.now()
        round_.save(update_fields=fields)
        round_.entitlements.filter(status=Entitlement.Status.CANDIDATE).update(
            status=Entitlement.Status.APPROVED
        )
        audit_update(actor=user, obj=round_, before=before, fields=fields)
    return round_


def validate_evidence(evidence) -> None:
    if evidence is None:
        return
    name = getattr(evidence, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            {"evidence": [_("Minh chứng phải là ảnh (JPG, PNG, WEBP, HEIC) hoặc tệp PDF.")]}
        )
    if evidence.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": [_("Tệp minh chứng lớn hơn 10 MB.")]})


def delivery_record(
    *,
    user,
    entitlement: Entitlement,
    delivered_on: dt.date,
    amount: int | None = None,
    items: str = "",
    evidence=None,
    acknowledged: bool = False,
    acknowledged_how: str = Delivery.Acknowledgement.NONE,
    note: str = "",
) -> tuple[Delivery, bool]:
    """Record the delivery of an approved entitlement; returns (delivery, created).

    Idempotent: the entitlement row is locked first, so two officers recording the same
    delivery at once end with one delivery (the second gets the first one back); the
    OneToOne column is the last guard."""
    validate_evidence(evidence)
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": [_("Ngày trao không được sau hôm nay.")]})
    with transaction.atomic():
        entitlement = get_scoped_or_404(
            Entitlement.objects.select_for_update(of=("self",)).select_related("round"),
            user,
            "view",
            pk=entitlement.pk,
        )
        found = Delivery.objects.filter(entitlement=entitlement).first()
        if found is not None:
            return found, False
        round_ = entitlement.round
        if round_.status not in (Round.Status.APPROVED, Round.Status.DELIVERING):
            raise ValidationError(_("Đợt chưa được phê duyệt hoặc đã kết thúc."))
        if entitlement.status != Entitlement.Status.APPROVED:
            raise ValidationError(_("Người này không có trong danh sách đã duyệt."))
        if acknowledged and acknowledged_how == Delivery.Acknowledgement.NONE:
            raise ValidationError(
                {"acknowledged_how": [_("Cần ghi người nhận xác nhận bằng cách nào.")]}
            )
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    entitlement=entitlement,
                    person_id=entitlement.person_id,
                    programme_id=round_.programme_id,
                    delivered_on=delivered_on,
                    deliverer=user,
                    amount=entitlement.amount if amount is None else amount,
                    items=(items or round_.items).strip()[:255],
                    evidence=evidence or "",
                    acknowledged=acknowledged,
                    acknowledged_how=acknowledged_how
                    if acknowledged
                    else Delivery.Acknowledgement.NONE,
                    note=note.strip()[:255],
                )
        except IntegrityError:
            return Delivery.objects.get(entitlement=entitlement), False
        ensure_in_scope(delivery, user, "add")
        reach_add(
            person_id=delivery.person_id,
            programme_id=delivery.programme_id,
            delivered_on=delivered_on,
        )
        entitlement.status = Entitlement.Status.DELIVERED
        entitlement.save(update_fields=["status"])
        Round.objects.filter(pk=round_.pk, status=Round.Status.APPROVED).update(
            status=Round.Status.DELIVERING
        )
        audit_create(
            actor=user,
            obj=delivery,
            fields=["entitlement", "delivered_on", "amount", "items", "acknowledged"],
        )
    return delivery, True


def round_summary(round_: Round) -> dict:
    """Counts and amounts per commune (and in total) of a round's list and deliveries."""
    rows = (
        round_.entitlements.values("commune_unit", "commune_unit__name")
        .annotate(
            listed=Count("pk", filter=~Q(status=Entitlement.Status.REMOVED)),
            removed=Count("pk", filter=Q(status=Entitlement.Status.REMOVED)),
            delivered=Count("delivery"),
            amount=Sum("delivery__amount"),
        )
        .order_by("commune_unit__name")
    )
    communes = [
        {
            "commune": row["commune_unit__name"] or "",
            "listed": row["listed"],
            "removed": row["removed"],
            "delivered": row["delivered"],
            "undelivered": row["listed"] - row["delivered"],
            "amount": row["amount"] or 0,
        }
        for row in rows
    ]
    total = {
        key: sum(c[key] for c in communes)
        for key in ("listed", "removed", "delivered", "undelivered", "amount")
    }
    return {"communes": communes, "total": total}


def round_close(*, user, round: Round) -> Round:  # noqa: A002
    """Close an approved round and store its summary (counts and amounts per commune)."""
    with transaction.atomic():
        round_ = _locked_round(user, round, "change")
        if round_.status not in (Round.Status.APPROVED, Round.Status.DELIVERING):
            raise ValidationError(_("Chỉ kết thúc đợt đã duyệt."))
        fields = ["status", "closed_at", "summary"]
        before = snapshot(round_, ["status"])
        round_.status = Round.Status.CLOSED
        round_.closed_at = timezone.now()
        round_.summary = round_summary(round_)
        round_.save(update_fields=fields)
        audit_update(actor=user, obj=round_, before=before, fields=["status"])
    return round_
