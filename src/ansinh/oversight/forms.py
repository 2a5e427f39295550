from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.org.models import UnionUnit

from .models import Feedback, FeedbackCategory, Recommendation, SupervisionActivity

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(forms.ModelForm):
    class Meta:
        model = SupervisionActivity
        fields = [
            "kind",
            "topic",
            "policy_area",
            "subject_body",
            "unit",
            "members",
            "starts_on",
            "ends_on",
            "findings",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = UnionUnit.objects.restrict(user, "view").filter(
            valid_to__isnull=True
        )


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, label=_("Tên tài liệu"))
    file = forms.FileField(label=_("Tệp"))


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["text", "addressed_to", "deadline"]
        widgets = {"deadline": DATE, "text": forms.Textarea(attrs={"rows": 3})}


class ResponseForm(forms.Form):
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DATE)
    text = forms.CharField(label=_("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[
            (Recommendation.Status.IMPLEMENTED, Recommendation.Status.IMPLEMENTED.label),
            (Recommendation.Status.NOT_ACCEPTED, Recommendation.Status.NOT_ACCEPTED.label),
        ],
    )


class OfficerFeedbackForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Kênh"),
        choices=[(c.value, c.label) for c in Feedback.Channel if c != Feedback.Channel.PUBLIC],
    )
    category = forms.ModelChoiceField(queryset=FeedbackCategory.objects.all(), label=_("Loại"))
    unit = forms.ModelChoiceField(queryset=UnionUnit.objects.none(), label=_("Đơn vị xử lý"))
    text = forms.CharField(label=_("Nội dung"), max_length=5000, widget=forms.Textarea)
    sender_name = forms.CharField(label=_("Họ tên người gửi"), max_length=120, required=False)
    sender_phone = forms.CharField(label=_("Số điện thoại"), max_length=15, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = UnionUnit.objects.restrict(user, "view").filter(
            kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True
        )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Kết quả giải quyết"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
