"""Forms of the outreach pages. They only shape input; the services decide and validate."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.core.validators import parse_citizen_id
from ansinh.org.models import UnionUnit
from ansinh.registry.models import Person

from . import selectors
from .models import (
    Commendation,
    CommunicationActivity,
    CommunicationTopic,
    CommunityModel,
    CommunityModelKind,
)

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


def date_field(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )


class Styled:
    """Bootstrap classes on every widget."""

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def unit_choices(user, action_permission_model, action: str = "add"):
    """Current union units inside the user's scope for `<app>.<action>_<model>`."""
    from ansinh.accounts.permissions import ALL, scope_paths
    from ansinh.core.scoping import permission_name

    units = UnionUnit.objects.filter(valid_to__isnull=True).order_by("path")
    paths = scope_paths(user, permission_name(action_permission_model, action))
    if paths is ALL:
        return units
    if not paths:
        return units.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


class ActivityForm(Styled, forms.ModelForm):
    held_on = date_field(gettext_lazy("Ngày"))

    class Meta:
        model = CommunicationActivity
        fields = [
            "held_on",
            "unit",
            "topic",
            "channel",
            "title",
            "participants",
            "reach",
            "materials",
            "notes",
        ]
        widgets = {
            "materials": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, action: str = "add", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(user, CommunicationActivity, action)
        self.fields["topic"].queryset = CommunicationTopic.objects.filter(is_active=True)
        self.style()

    def _post_clean(self):
        # The service validates the instance (rules of the audience first, in Vietnamese).
        pass


class MaterialForm(Styled, forms.Form):
    title = forms.CharField(max_length=200, required=False, label=gettext_lazy("Tên tài liệu"))
    file = forms.FileField(label=gettext_lazy("Tệp (PDF, Word, Excel, PowerPoint, ảnh)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ActivityFilterForm(Styled, forms.Form):
    unit = forms.ModelChoiceField(
        queryset=UnionUnit.objects.none(), required=False, label=gettext_lazy("Đơn vị")
    )
    channel = forms.ChoiceField(required=False, label=gettext_lazy("Hình thức"))
    topic = forms.ModelChoiceField(
        queryset=CommunicationTopic.objects.all(), required=False, label=gettext_lazy("Chủ đề")
    )
    date_from = date_field(gettext_lazy("Từ ngày"), required=False)
    date_to = date_field(gettext_lazy("Đến ngày"), required=False)

    def __init__(self, *args, user=None, action: str = "view", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(user, CommunicationActivity, action)
        self.fields["unit"].empty_label = _("Mọi đơn vị")
        self.fields["topic"].empty_label = _("Mọi chủ đề")
        self.fields["channel"].choices = [
            ("", _("Mọi hình thức")),
            *CommunicationActivity.Channel.choices,
        ]
        self.style()

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped, never an error page)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


class CommunityModelForm(Styled, forms.ModelForm):
    established_on = date_field(gettext_lazy("Ngày thành lập"))

    class Meta:
        model = CommunityModel
        fields = ["kind", "name", "unit", "established_on", "members_count", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    copied_from = forms.ModelChoiceField(
        queryset=CommunityModel.objects.none(),
        required=False,
        label=gettext_lazy("Nhân rộng từ mô hình của đơn vị khác"),
    )

    def __init__(self, *args, user=None, action: str = "add", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(user, CommunityModel, action)
        self.fields["kind"].queryset = CommunityModelKind.objects.filter(is_active=True)
        sources = selectors.replication_sources()
        if self.instance.pk:
            # keep the recorded source selectable even if it has been dissolved since
            sources = (
                sources | CommunityModel.objects.filter(pk=self.instance.copied_from_id)
            ).exclude(pk=self.instance.pk)
            self.fields["copied_from"].initial = self.instance.copied_from_id
        self.fields["copied_from"].queryset = sources
        self.fields["copied_from"].label_from_instance = lambda m: f"{m.name} — {m.unit.name}"
        self.fields["copied_from"].empty_label = _("(mô hình tự xây dựng)")
        self.style()

    def _post_clean(self):
        pass


class StatusForm(Styled, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Tình trạng mới"), choices=CommunityModel.Status.choices
    )
    changed_on = date_field(gettext_lazy("Ngày"))
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=500, required=False)

    def __init__(self, *args, current: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current:  # offer only a change (the service refuses "no change" anyway)
            self.fields["status"].choices = [
                choice for choice in CommunityModel.Status.choices if choice[0] != current
            ]
        self.style()


class ResultForm(Styled, forms.Form):
    reported_on = date_field(gettext_lazy("Ngày"))
    text = forms.CharField(
        label=gettext_lazy("Kết quả"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    members_count = forms.IntegerField(
        label=gettext_lazy("Số thành viên hiện nay"), min_value=0, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class PhotoForm(Styled, forms.Form):
    caption = forms.CharField(max_length=200, required=False, label=gettext_lazy("Chú thích"))
    file = forms.FileField(label=gettext_lazy("Ảnh (JPG, PNG, WEBP)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ModelFilterForm(Styled, forms.Form):
    unit = forms.ModelChoiceField(
        queryset=UnionUnit.objects.none(), required=False, label=gettext_lazy("Đơn vị")
    )
    kind = forms.ModelChoiceField(
        queryset=CommunityModelKind.objects.all(), required=False, label=gettext_lazy("Loại")
    )
    status = forms.ChoiceField(required=False, label=gettext_lazy("Tình trạng"))
    replicated = forms.BooleanField(required=False, label=gettext_lazy("Chỉ mô hình nhân rộng"))
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Tên mô hình"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(user, CommunityModel, "view")
        self.fields["unit"].empty_label = _("Mọi đơn vị")
        self.fields["kind"].empty_label = _("Mọi loại")
        self.fields["status"].choices = [("", _("Mọi tình trạng")), *CommunityModel.Status.choices]
        self.style()

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


class CommendationFilterForm(Styled, forms.Form):
    unit = forms.ModelChoiceField(
        queryset=UnionUnit.objects.none(), required=False, label=gettext_lazy("Đơn vị")
    )
    level = forms.ChoiceField(required=False, label=gettext_lazy("Cấp khen"))
    form = forms.ChoiceField(required=False, label=gettext_lazy("Hình thức"))
    recipient_kind = forms.ChoiceField(required=False, label=gettext_lazy("Khen cho"))
    date_from = date_field(gettext_lazy("Từ ngày"), required=False)
    date_to = date_field(gettext_lazy("Đến ngày"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(user, Commendation, "view")
        self.fields["unit"].empty_label = _("Mọi đơn vị")
        self.fields["level"].choices = [("", _("Mọi cấp")), *Commendation.Level.choices]
        self.fields["form"].choices = [("", _("Mọi hình thức")), *Commendation.Form.choices]
        self.fields["recipient_kind"].choices = [
            ("", _("Mọi đối tượng")),
            *Commendation.RecipientKind.choices,
        ]
        self.style()

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


class PersonReferenceField(forms.CharField):
    """A registered person, given by her number in the registry (as on her page) or her
    12-digit citizen ID; only people the user may see are found."""

    def __init__(self, *, user=None, **kwargs):
        self.user = user
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.pk if isinstance(value, Person) else value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "").replace(".", "")
        people = Person.objects.restrict(self.user, "view")
        person = None
        if len(text) == 12 and text.isdigit():
            try:
                number = parse_citizen_id(text).number
            except forms.ValidationError:
                number = text
            person = people.filter(citizen_id=number).first()
        elif text.isdigit():
            person = people.filter(pk=int(text)).first()
        if person is None:
            raise forms.ValidationError(_("Không tìm thấy đối tượng này trong phạm vi của bạn."))
        return person


class CommendationForm(Styled, forms.Form):
    recipient_kind = forms.ChoiceField(
        label=gettext_lazy("Khen cho"),
        choices=Commendation.RecipientKind.choices,
        widget=forms.RadioSelect,
    )
    recipient_person = PersonReferenceField(
        label=gettext_lazy("Cá nhân: mã số đối tượng hoặc số CCCD"), required=False
    )
    recipient_unit = forms.ModelChoiceField(
        queryset=UnionUnit.objects.none(), required=False, label=gettext_lazy("Tập thể")
    )
    recipient_model = forms.ModelChoiceField(
        queryset=CommunityModel.objects.none(), required=False, label=gettext_lazy("Mô hình")
    )
    level = forms.ChoiceField(label=gettext_lazy("Cấp khen"), choices=Commendation.Level.choices)
    form = forms.ChoiceField(label=gettext_lazy("Hình thức"), choices=Commendation.Form.choices)
    reason = forms.CharField(
        label=gettext_lazy("Thành tích, lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    awarded_on = date_field(gettext_lazy("Ngày khen"))
    decision_number = forms.CharField(
        label=gettext_lazy("Số quyết định"), max_length=60, required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_person"].user = user
        self.fields["recipient_unit"].queryset = UnionUnit.objects.restrict(user, "view").filter(
            valid_to__isnull=True
        )
        self.fields["recipient_model"].queryset = (
            CommunityModel.objects.restrict(user, "view").select_related("unit").order_by("name")
        )
        self.fields["recipient_model"].label_from_instance = lambda m: f"{m.name} — {m.unit.name}"
        self.style()
        self.fields["recipient_kind"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        kind = data.get("recipient_kind")
        wanted = {
            Commendation.RecipientKind.PERSON: "recipient_person",
            Commendation.RecipientKind.UNIT: "recipient_unit",
            Commendation.RecipientKind.MODEL: "recipient_model",
        }.get(kind)
        if wanted and not data.get(wanted) and wanted not in self.errors:
            self.add_error(wanted, _("Vui lòng chọn người, tập thể hoặc mô hình được khen."))
        # only the chosen kind of recipient is kept
        for name in ("recipient_person", "recipient_unit", "recipient_model"):
            if name != wanted:
                data[name] = None
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("recipient_kind", None)
        return data


class ListItemForm(Styled, forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Tên"), max_length=200)
    order = forms.IntegerField(label=gettext_lazy("Thứ tự"), min_value=0, max_value=32000)
    is_active = forms.BooleanField(label=gettext_lazy("Đang dùng"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
        for field in self.fields.values():  # shown in a table row, without <label>
            field.widget.attrs["aria-label"] = field.label
            field.widget.attrs.setdefault("placeholder", field.label)
