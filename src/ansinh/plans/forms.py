"""Forms of the plans pages: a progress report on a task (with evidence files), a task's edit."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.org.models import Department, UnionUnit

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


class TaskEditForm(forms.Form):
    """What a city or department officer may change on a task: its wording, dates, lead and
    cooperating departments or units."""

    title = forms.CharField(
        label=_("Nhiệm vụ"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    description = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    starts_on = forms.DateField(
        label=_("Ngày bắt đầu"),
        input_formats=DATE_INPUT,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "class": "form-control"}
        ),
    )
    deadline = forms.DateField(
        label=_("Thời hạn"),
        input_formats=DATE_INPUT,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "class": "form-control"}
        ),
    )
    lead_department = forms.ModelChoiceField(
        label=_("Ban, đơn vị chủ trì"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    cooperating_departments = forms.ModelMultipleChoiceField(
        label=_("Ban, đơn vị phối hợp"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cơ sở Hội phối hợp"),
        queryset=UnionUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
    )

    def __init__(self, *args, task, user, **kwargs):
        if not kwargs.get("data") and not args:
            kwargs.setdefault(
                "initial",
                {
                    "title": task.title,
                    "description": task.description,
                    "starts_on": task.starts_on,
                    "deadline": task.deadline,
                    "lead_department": task.lead_department_id,
                    "cooperating_departments": list(
                        task.cooperating_departments.values_list("pk", flat=True)
                    ),
                    "cooperating_units": list(task.cooperating_units.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        city = task.plan.union_id or task.unit_id
        departments = Department.objects.filter(union_id=city).order_by("order", "name")
        self.fields["cooperating_departments"].queryset = departments
        self.fields["lead_department"].queryset = Department.objects.filter(
            union_id=task.unit_id
        ).order_by("order", "name")
        if not self.fields["lead_department"].queryset.exists():
            del self.fields["lead_department"]
        self.fields["cooperating_units"].queryset = (
            UnionUnit.objects.restrict(user, "view")
            .filter(valid_to__isnull=True, kind=UnionUnit.Kind.COMMUNE)
            .exclude(pk=task.unit_id)
            .order_by("name")
        )
