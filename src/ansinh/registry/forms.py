"""Forms of the household and person pages. They only parse input: the rules live in
`services.py`, whose `ValidationError`s are put back on the fields (`apply_errors`)."""

from __future__ import annotations

import hashlib
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.geo.models import AdminUnit, Locality
from ansinh.org.models import UnionUnit

from . import selectors
from .models import Consent, DataSubjectRequest, Household, Person
from .reference import ETHNICITIES, ETHNICITY_KINH
from .services import MANUAL_STATUSES, MemberData

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATE_HELP = _("ngày/tháng/năm, ví dụ 12/03/1985")


class VietnameseDateInput(forms.DateInput):
    """A text box taking dd/mm/yyyy (numeric keyboard on phones)."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        defaults.update(attrs or {})
        super().__init__(attrs=defaults, format="%d/%m/%Y")


def date_field(label, *, required=False, initial=None) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        initial=initial,
        input_formats=DATE_FORMATS,
        widget=VietnameseDateInput(),
        error_messages={"invalid": _("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy.")},
    )


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, set once here instead of in each template."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] += " is-invalid"


def _today():
    return timezone.localdate()


def apply_errors(form: forms.BaseForm, error: ValidationError, *, prefix: str = "") -> list[str]:
    """Put a service's errors on the form's fields; returns those that fit no field."""
    leftover = []
    if not hasattr(error, "error_dict"):
        return [str(message) for message in error.messages]
    for key, errors in error.message_dict.items():
        name = key[len(prefix) :] if prefix and key.startswith(prefix) else key
        if name in form.fields:
            for message in errors:
                form.add_error(name, message)
        else:
            leftover.extend(errors)
    return leftover


# --------------------------------------------------------------------------------------
# Household registration
# --------------------------------------------------------------------------------------


class HouseholdForm(StyledForm):
    unit = forms.ModelChoiceField(
        label=_("Cơ sở Hội quản lý"), queryset=None, empty_label=_("— chọn —")
    )
    locality = forms.ModelChoiceField(
        label=_("Thôn, tổ dân phố"),
        queryset=Locality.objects.none(),
        required=False,
        empty_label=_("— không chọn —"),
    )
    address_line = forms.CharField(label=_("Số nhà, đường phố"), max_length=255, required=False)
    poverty_status = forms.ChoiceField(
        label=_("Hộ nghèo/cận nghèo"),
        choices=Household.Poverty.choices,
        initial=Household.Poverty.NONE,
    )
    poverty_standard = forms.CharField(
        label=_("Chuẩn nghèo giai đoạn"),
        max_length=20,
        required=False,
        help_text=_("Ví dụ: 2022-2025"),
    )
    poverty_year = forms.IntegerField(
        label=_("Năm công nhận"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.household_unit_choices(user=user)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: (
            unit.name if unit.kind == unit.Kind.COMMUNE else f"{unit.name} — {unit.parent.name}"
        )
        # An officer of one commune registers into her commune union unless she picks a branch.
        communes = list(units.filter(kind=UnionUnit.Kind.COMMUNE)[:2])
        if len(communes) == 1:
            self.fields["unit"].initial = communes[0].pk
        communes = AdminUnit.objects.filter(
            pk__in=[
                u.admin_unit_id or (u.parent.admin_unit_id if u.parent else None) for u in units
            ]
        )
        self.fields["locality"].queryset = Locality.objects.filter(
            commune__in=communes, is_active=True
        ).select_related("commune")


class HouseholdUpdateForm(StyledForm):
    locality = forms.ModelChoiceField(
        label=_("Thôn, tổ dân phố"),
        queryset=Locality.objects.none(),
        required=False,
        empty_label=_("— không chọn —"),
    )
    address_line = forms.CharField(label=_("Số nhà, đường phố"), max_length=255, required=False)
    poverty_status = forms.ChoiceField(
        label=_("Hộ nghèo/cận nghèo"), choices=Household.Poverty.choices
    )
    poverty_standard = forms.CharField(
        label=_("Chuẩn nghèo giai đoạn"), max_length=20, required=False
    )
    poverty_year = forms.IntegerField(
        label=_("Năm công nhận"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, household: Household, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "locality": household.locality_id,
                "address_line": household.address_line,
                "poverty_status": household.poverty_status,
                "poverty_standard": household.poverty_standard,
                "poverty_year": household.poverty_year,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.filter(
            commune_id=household.commune_id, is_active=True
        )


class PersonFieldsMixin(StyledForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    sex = forms.ChoiceField(
        label=_("Giới tính"), choices=[("", _("— chọn —")), *Person.Sex.choices]
    )
    birth_date = date_field(_("Ngày sinh"))
    birth_year = forms.IntegerField(
        label=_("hoặc năm sinh"),
        required=False,
        min_value=1900,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "yyyy"}),
    )
    citizen_id = forms.CharField(
        label=_("Số CCCD"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )
    ethnicity = forms.ChoiceField(label=_("Dân tộc"), choices=ETHNICITIES, initial=ETHNICITY_KINH)
    relation = forms.ChoiceField(label=_("Quan hệ với chủ hộ"), choices=Person.Relation.choices)
    is_union_member = forms.BooleanField(label=_("Hội viên"), required=False)
    occupation = forms.CharField(label=_("Nghề nghiệp"), max_length=120, required=False)
    record_number = forms.CharField(label=_("Mã hồ sơ"), max_length=40, required=False)

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("birth_date") and not cleaned.get("birth_year")
        if missing and "birth_date" not in self.errors and "birth_year" not in self.errors:
            self.add_error("birth_year", _("Chưa nhập ngày sinh hoặc năm sinh."))
        return cleaned


class MemberForm(PersonFieldsMixin):
    """One member row of the registration form (categories and needs included)."""

    vulnerabilities = forms.MultipleChoiceField(
        label=_("Diện đối tượng"), required=False, widget=forms.CheckboxSelectMultiple
    )
    needs = forms.MultipleChoiceField(
        label=_("Nhu cầu"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vulnerabilities"].choices = [
            (category.code, category.name)
            for category in selectors.vulnerability_categories(user=user)
        ]
        self.fields["needs"].choices = [
            (category.code, category.name) for category in selectors.need_categories()
        ]

    def has_changed(self) -> bool:
        # A row added on the phone and left blank is not a member (its selects still post
        # their defaults, so Django's own comparison would call it changed).
        return any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("full_name", "birth_date", "birth_year", "citizen_id", "phone")
        )

    def member_data(self) -> MemberData:
        data = self.cleaned_data
        return MemberData(
            full_name=data["full_name"],
            sex=data["sex"],
            birth_date=data.get("birth_date"),
            birth_year=data.get("birth_year"),
            citizen_id=data.get("citizen_id") or None,
            phone=data.get("phone") or None,
            ethnicity=data.get("ethnicity") or ETHNICITY_KINH,
            relation=data["relation"],
            is_union_member=bool(data.get("is_union_member")),
            occupation=data.get("occupation") or "",
            record_number=data.get("record_number") or "",
            vulnerabilities=list(data.get("vulnerabilities") or []),
            needs=list(data.get("needs") or []),
        )


class BaseMemberFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[MemberForm]:
        """Member rows to register: not removed, and not left blank."""
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form)
            and not (form.empty_permitted and not form.has_changed())
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = self.kept_forms()
        if not kept:
            raise ValidationError(_("Hộ phải có ít nhất một thành viên."))
        heads = sum(1 for form in kept if form.cleaned_data.get("relation") == Person.Relation.HEAD)
        if heads != 1:
            raise ValidationError(
                _("Hộ phải có đúng một chủ hộ (đang có %(count)d).") % {"count": heads}
            )


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, min_num=1, can_delete=True
)


def _digits(value) -> str:
    return re.sub(r"\D", "", str(value or ""))


def members_signature(unit_id, members: list[MemberData]) -> str:
    """A short fingerprint of who is being registered: a duplicate confirmation is valid only
    for the people it was shown for."""
    parts = [str(unit_id)]
    for member in members:
        parts.append(
            "|".join(
                [
                    member.full_name.strip().lower(),
                    str(member.birth_date or ""),
                    str(member.birth_year or ""),
                    _digits(member.citizen_id),
                    _digits(member.phone),
                ]
            )
        )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


# --------------------------------------------------------------------------------------
# A person
# --------------------------------------------------------------------------------------


class PersonUpdateForm(PersonFieldsMixin):
    def __init__(self, *args, person: Person, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "full_name": person.full_name,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "birth_year": None if person.birth_date else person.birth_year,
                "citizen_id": person.citizen_id or "",
                "phone": person.phone,
                "ethnicity": person.ethnicity,
                "relation": person.relation,
                "is_union_member": person.is_union_member,
                "occupation": person.occupation,
                "record_number": person.record_number,
            },
        )
        super().__init__(*args, **kwargs)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["citizen_id"] = data.get("citizen_id") or None
        data["phone"] = data.get("phone") or ""
        if data.get("birth_date"):
            data["birth_year"] = data["birth_date"].year
        return data


class PersonCorrectForm(PersonUpdateForm):
    request = forms.ModelChoiceField(label=_("Theo yêu cầu"), queryset=None, empty_label=None)

    def __init__(self, *args, person: Person, requests, **kwargs):
        super().__init__(*args, person=person, **kwargs)
        self.fields["request"].queryset = requests
        self.fields["request"].label_from_instance = lambda item: (
            f"{item.get_kind_display()} — {item.received_on:%d/%m/%Y}"
        )

    def changes(self) -> dict:
        data = super().changes()
        data.pop("request", None)
        return data


class StatusChangeForm(StyledForm):
    status = forms.ChoiceField(label=_("Tình trạng mới"))
    effective = date_field(_("Từ ngày"), required=True)
    moved_to = forms.ModelChoiceField(
        label=_("Chuyển đến xã/phường"),
        queryset=AdminUnit.objects.filter(
            era=AdminUnit.Era.POST_2025, level=AdminUnit.Level.COMMUNE
        ).order_by("province_code", "name"),
        required=False,
        empty_label=_("— chọn nếu chuyển đi —"),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, person: Person, **kwargs):
        kwargs.setdefault("initial", {"effective": _today()})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in Person.Status.choices if value in MANUAL_STATUSES
        ]


class VulnerabilityAddForm(StyledForm):
    category = forms.ModelChoiceField(label=_("Diện"), queryset=None, empty_label=_("— chọn —"))
    since = date_field(_("Từ ngày"))
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.vulnerability_categories(
            user=user, scope_path=person.scope_path
        )


class VulnerabilityCloseForm(StyledForm):
    until = date_field(_("Đến ngày"), required=True)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"until": _today()})
        super().__init__(*args, **kwargs)


class NeedOpenForm(StyledForm):
    category = forms.ModelChoiceField(label=_("Nhu cầu"), queryset=None, empty_label=_("— chọn —"))
    opened_on = date_field(_("Ngày ghi nhận"), required=True)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"opened_on": _today()})
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.need_categories()


class NeedMeetForm(StyledForm):
    met_on = date_field(_("Ngày đáp ứng"), required=True)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"met_on": _today()})
        super().__init__(*args, **kwargs)


class ConsentForm(StyledForm):
    purpose = forms.ChoiceField(label=_("Mục đích"), choices=Consent.Purpose.choices)
    given_by = forms.ChoiceField(label=_("Người đồng ý"), choices=Consent.GivenBy.choices)
    guardian_name = forms.CharField(
        label=_("Họ tên người giám hộ"),
        max_length=150,
        required=False,
        help_text=_("Bắt buộc với trẻ em và người có người giám hộ."),
    )
    form = forms.ChoiceField(label=_("Hình thức"), choices=Consent.Form.choices)
    given_on = date_field(_("Ngày đồng ý"), required=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"given_on": _today()})
        super().__init__(*args, **kwargs)


class ConsentWithdrawForm(StyledForm):
    withdrawn_on = date_field(_("Ngày rút lại"), required=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"withdrawn_on": _today()})
        super().__init__(*args, **kwargs)


class DataRequestForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại yêu cầu"), choices=DataSubjectRequest.Kind.choices)
    received_on = date_field(_("Ngày nhận"), required=True)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": _today()})
        super().__init__(*args, **kwargs)


class DeidentifyForm(StyledForm):
    request = forms.ModelChoiceField(label=_("Theo yêu cầu"), queryset=None, empty_label=None)
    confirm = forms.BooleanField(
        label=_(
            "Tôi hiểu rằng họ tên, số CCCD, điện thoại, mã hồ sơ, ngày sinh của người này sẽ bị "
            "xóa vĩnh viễn và không khôi phục được."
        ),
        error_messages={"required": _("Đánh dấu xác nhận trước khi khử định danh.")},
    )

    def __init__(self, *args, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = requests
        self.fields["request"].label_from_instance = lambda item: (
            f"{item.get_kind_display()} — {item.received_on:%d/%m/%Y}"
        )


__all__ = [
    "ConsentForm",
    "ConsentWithdrawForm",
    "DataRequestForm",
    "DeidentifyForm",
    "HouseholdForm",
    "HouseholdUpdateForm",
    "MemberFormSet",
    "NeedMeetForm",
    "NeedOpenForm",
    "PersonCorrectForm",
    "PersonUpdateForm",
    "StatusChangeForm",
    "VulnerabilityAddForm",
    "VulnerabilityCloseForm",
    "apply_errors",
    "members_signature",
]
