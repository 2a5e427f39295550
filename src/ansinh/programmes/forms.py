"""Forms of the programmes pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.accounts.permissions import ALL, scope_paths
from ansinh.core.forms import VndField
from ansinh.funds.models import Donor
from ansinh.org.models import Department, UnionUnit

from .models import (
    Delivery,
    JobOutcome,
    JobReferral,
    LoanFacilitation,
    Programme,
    Round,
    Sponsorship,
    SponsorshipPayment,
)

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def date_field(label, required=False, **kwargs):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        **kwargs,
    )


def proposing_units(user):
    """Units where the user may propose a round (city, district or commune unions)."""
    paths = scope_paths(user, "programmes.add_round")
    units = UnionUnit.objects.filter(
        kind__in=[UnionUnit.Kind.CITY, UnionUnit.Kind.DISTRICT, UnionUnit.Kind.COMMUNE]
    )
    if paths is ALL:
        return units.order_by("path")
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition).order_by("path") if paths else units.none()


class RuleCheckForm(StyledForm):
    rule = forms.CharField(
        label=gettext_lazy("Điều kiện"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )


class RoundForm(StyledForm):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị đề xuất"), queryset=UnionUnit.objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Tên đợt"), max_length=200)
    rule = forms.CharField(
        label=gettext_lazy("Điều kiện xét chọn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    budget = VndField(label=gettext_lazy("Kinh phí (đồng)"), required=False, min_value=0)
    amount_per_person = VndField(
        label=gettext_lazy("Mức hỗ trợ mỗi người (đồng)"), required=False, min_value=0
    )
    items = forms.CharField(label=gettext_lazy("Hiện vật mỗi suất"), max_length=255, required=False)
    funding_source = forms.CharField(
        label=gettext_lazy("Nguồn kinh phí"), max_length=255, required=False
    )
    quota_mode = forms.ChoiceField(
        label=gettext_lazy("Cách phân bổ"), choices=Round.QuotaMode.choices
    )
    quotas = forms.CharField(
        label=gettext_lazy("Chỉ tiêu cố định"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "00070: 20"}),
        help_text=gettext_lazy("Mỗi dòng một xã/phường: mã xã/phường, dấu hai chấm, số người."),
    )
    starts_on = date_field(gettext_lazy("Từ ngày"))
    ends_on = date_field(gettext_lazy("Đến ngày"))
    reference_date = date_field(
        gettext_lazy("Ngày xét điều kiện"), help_text=gettext_lazy("Bỏ trống: ngày lập danh sách.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = proposing_units(user)

    def clean_quotas(self):
        text = self.cleaned_data.get("quotas") or ""
        quotas = {}
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            code, sep, count = line.partition(":")
            if not sep or not count.strip().isdigit() or not code.strip():
                raise forms.ValidationError(
                    _('Dòng %(n)s: cần viết "mã xã/phường: số người", ví dụ "00070: 20".')
                    % {"n": number}
                )
            quotas[code.strip()] = int(count.strip())
        return quotas


class ReasonForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=255)


class AddForm(ReasonForm):
    person = forms.IntegerField(
        label=gettext_lazy("Mã số đối tượng"), min_value=1, widget=forms.NumberInput()
    )


class DeliveryForm(StyledForm):
    delivered_on = date_field(gettext_lazy("Ngày trao"), required=True)
    amount = VndField(label=gettext_lazy("Số tiền (đồng)"), required=False, min_value=0)
    items = forms.CharField(label=gettext_lazy("Hiện vật"), max_length=255, required=False)
    evidence = forms.FileField(
        label=gettext_lazy("Minh chứng (ảnh chụp, danh sách ký nhận)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )
    acknowledged = forms.BooleanField(label=gettext_lazy("Người nhận đã xác nhận"), required=False)
    acknowledged_how = forms.ChoiceField(
        label=gettext_lazy("Hình thức xác nhận"),
        choices=Delivery.Acknowledgement.choices,
        initial=Delivery.Acknowledgement.NONE,
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()


class LeftBehindForm(forms.Form):
    months = forms.IntegerField(min_value=0, max_value=120, required=False)


def course_units(user):
    """Union units where the user may organise a course (any level in her scope)."""
    paths = scope_paths(user, "programmes.add_trainingcourse")
    units = UnionUnit.objects.filter(valid_to__isnull=True)
    if paths is ALL:
        return units.order_by("path")
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition).order_by("path") if paths else units.none()


class PersonField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Mã số đối tượng"))
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("widget", forms.NumberInput())
        super().__init__(**kwargs)


class LoanForm(StyledForm):
    person = PersonField()
    bank = forms.ChoiceField(label=gettext_lazy("Ngân hàng"), choices=LoanFacilitation.Bank.choices)
    bank_name = forms.CharField(
        label=gettext_lazy("Tên ngân hàng khác"), max_length=120, required=False
    )
    group_name = forms.CharField(
        label=gettext_lazy("Tổ tiết kiệm và vay vốn"), max_length=200, required=False
    )
    amount = VndField(label=gettext_lazy("Số tiền vay (đồng)"), min_value=1)
    purpose = forms.CharField(label=gettext_lazy("Mục đích vay"), max_length=255)
    applied_on = date_field(gettext_lazy("Ngày nộp hồ sơ"), required=True)
    disbursed_on = date_field(gettext_lazy("Ngày giải ngân"))
    term_months = forms.IntegerField(
        label=gettext_lazy("Thời hạn (tháng)"), required=False, min_value=1, max_value=240
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)


class LoanEditForm(LoanForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["person"]


class LoanStatusForm(StyledForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Tình trạng mới"), choices=LoanFacilitation.Status.choices
    )
    changed_on = date_field(gettext_lazy("Ngày"), required=True)
    disbursed_on = date_field(
        gettext_lazy("Ngày giải ngân"),
        help_text=gettext_lazy("Khi khoản vay được giải ngân; bỏ trống: bằng ngày trên."),
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changed_on"].initial = timezone.localdate()


class CourseForm(StyledForm):
    title = forms.CharField(label=gettext_lazy("Tên lớp"), max_length=200)
    provider = forms.CharField(label=gettext_lazy("Cơ sở đào tạo"), max_length=200)
    occupation = forms.CharField(label=gettext_lazy("Nghề đào tạo"), max_length=200)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị tổ chức"), queryset=UnionUnit.objects.none()
    )
    starts_on = date_field(gettext_lazy("Ngày khai giảng"), required=True)
    ends_on = date_field(gettext_lazy("Ngày kết thúc"))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = course_units(user)


class EnrolForm(StyledForm):
    person = PersonField()


class EnrolmentForm(StyledForm):
    completed = forms.BooleanField(label=gettext_lazy("Đã hoàn thành khóa học"), required=False)
    completed_on = date_field(gettext_lazy("Ngày hoàn thành"))
    certificate = forms.CharField(
        label=gettext_lazy("Chứng chỉ (số, loại)"), max_length=200, required=False
    )
    outcome_3m = forms.ChoiceField(
        label=gettext_lazy("Việc làm sau 3 tháng"), choices=JobOutcome.choices
    )
    outcome_3m_checked_on = date_field(gettext_lazy("Ngày kiểm tra (3 tháng)"))
    outcome_6m = forms.ChoiceField(
        label=gettext_lazy("Việc làm sau 6 tháng"), choices=JobOutcome.choices
    )
    outcome_6m_checked_on = date_field(gettext_lazy("Ngày kiểm tra (6 tháng)"))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)


class ReferralForm(StyledForm):
    person = PersonField()
    employer = forms.CharField(label=gettext_lazy("Nơi tuyển dụng"), max_length=200)
    position = forms.CharField(label=gettext_lazy("Vị trí việc làm"), max_length=200)
    referred_on = date_field(gettext_lazy("Ngày giới thiệu"), required=True)
    outcome = forms.ChoiceField(label=gettext_lazy("Kết quả"), choices=JobReferral.Outcome.choices)
    starts_on = date_field(gettext_lazy("Ngày bắt đầu làm việc"))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)


class ReferralEditForm(ReferralForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["person"]


class ProgrammeForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Tên chương trình"), max_length=200)
    benefit_kind = forms.ChoiceField(
        label=gettext_lazy("Hình thức hỗ trợ"), choices=Programme.BenefitKind.choices
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Ban phụ trách"), queryset=Department.objects.all(), required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    eligibility_rule = forms.CharField(
        label=gettext_lazy("Điều kiện xét chọn"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Đang thực hiện"), required=False)


class SponsorshipForm(StyledForm):
    """A sponsor takes a child: an existing sponsor of the user's scope, or a new one named
    here (created as a donor of the funds module)."""

    child = PersonField(label=gettext_lazy("Mã số đối tượng của trẻ"))
    sponsor = forms.ModelChoiceField(
        label=gettext_lazy("Mẹ đỡ đầu, nhà tài trợ đã có"),
        queryset=Donor.objects.none(),
        required=False,
    )
    sponsor_name = forms.CharField(
        label=gettext_lazy("hoặc tên mẹ đỡ đầu mới"), max_length=255, required=False
    )
    sponsor_kind = forms.ChoiceField(
        label=gettext_lazy("Loại nhà tài trợ mới"),
        choices=Donor.Kind.choices,
        required=False,
    )
    sponsor_public = forms.BooleanField(
        label=gettext_lazy("Đồng ý công khai tên"), required=False, initial=True
    )
    monthly_amount = VndField(label=gettext_lazy("Mức hỗ trợ hằng tháng (đồng)"), min_value=0)
    starts_on = date_field(gettext_lazy("Bắt đầu từ ngày"), required=True)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["sponsor"].queryset = Donor.objects.restrict(user, "view").order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("sponsor") and not (data.get("sponsor_name") or "").strip():
            raise forms.ValidationError(_("Cần chọn mẹ đỡ đầu hoặc nhập tên người mới."))
        if data.get("sponsor") and (data.get("sponsor_name") or "").strip():
            raise forms.ValidationError(_("Chọn người đã có hoặc nhập người mới, không cả hai."))
        return data


class SponsorshipEndForm(StyledForm):
    ends_on = date_field(gettext_lazy("Kết thúc ngày"), required=True)
    end_reason = forms.ChoiceField(
        label=gettext_lazy("Lý do"), choices=Sponsorship.EndReason.choices
    )
    end_note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)


MONTH_INPUT = ["%m/%Y", "%Y-%m"]


class MonthField(forms.DateField):
    """A month written mm/yyyy; cleaned to its first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MONTH_INPUT)
        kwargs.setdefault(
            "widget", forms.DateInput(format="%m/%Y", attrs={"placeholder": "mm/yyyy"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class SponsorshipPaymentForm(StyledForm):
    month = MonthField(label=gettext_lazy("Tháng hỗ trợ"))
    amount = VndField(label=gettext_lazy("Số tiền (đồng)"), min_value=1)
    paid_on = date_field(gettext_lazy("Ngày trao"), required=True)
    means = forms.ChoiceField(
        label=gettext_lazy("Hình thức"), choices=SponsorshipPayment.Means.choices
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class SponsorshipReverseForm(StyledForm):
    payment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Lý do hủy"), max_length=255)
