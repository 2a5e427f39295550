"""Forms of the plans pages: the progress report on a task (with evidence files)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import EVIDENCE_EXTENSIONS

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks type, size and count."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class TaskProgressForm(forms.Form):
    reported_on = forms.DateField(
        label=_("Ngày báo cáo"),
        input_formats=DATE_INPUT,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "class": "form-control"}
        ),
    )
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": 5}),
        error_messages={
            "min_value": _("Tiến độ phải là một số từ 0 đến 100."),
            "max_value": _("Tiến độ phải là một số từ 0 đến 100."),
            "invalid": _("Tiến độ phải là một số từ 0 đến 100."),
        },
    )
    text = forms.CharField(
        label=_("Kết quả thực hiện"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        max_length=5000,
    )
    evidence = MultipleFileField(
        label=_("Minh chứng (ảnh, PDF, Word, Excel; tối đa 10 MB mỗi tệp)"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "class": "form-control",
                "accept": ",".join(f".{extension}" for extension in EVIDENCE_EXTENSIONS),
            }
        ),
    )

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_on"].initial = timezone.localdate()
        if task is not None:
            self.fields["percent"].initial = task.percent
