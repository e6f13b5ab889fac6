"""The admin's forms: the figure as a person types it, checked by the service that
writes it, and the posts of the publication pages and the reporting cycle's board."""

from django import forms
from django.core.exceptions import ValidationError

from reporting import cycle, services
from reporting.formatting import format_figure
from reporting.models import Figure, FiscalYear, ReportingPeriod
from units.models import Unit


class FigureForm(forms.ModelForm):
    """The figure as a person types it (``1,234``, ``$1,234``).

    The checks are ``services.check_figure``'s, the ones ``record_figure``
    makes before it writes (the lock and assignment gate, then the value for
    the metric); their errors land on the value or above the form.
    """

    value = forms.CharField(
        help_text="A whole number for counts, dollars (to the cent) for amounts, "
        "e.g. 1,234 or $1,234,567. To record “not reported”, delete the figure."
    )
    # The version of the figure the change form showed: a save over a figure
    # changed since is refused (services.ensure_unchanged). The add form has
    # none; a figure already on record there is the model's unique error.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Figure
        fields = ["metric", "period", "region", "value", "note", "public_note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.initial["value"] = format_figure(
                self.instance.value, self.instance.metric.value_type
            )
            # What is on record as the form is shown (a revert form's instance
            # is the old record; the figure's version is the current one's).
            self.initial["seen_version"] = (
                Figure.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )

    def clean(self):
        data = super().clean()
        metric = data.get("metric") or (self.instance.metric if self.instance.pk else None)
        period = data.get("period") or (self.instance.period if self.instance.pk else None)
        if metric is not None and period is not None and "value" in data:
            try:
                data["value"] = services.check_figure(
                    metric=metric,
                    fiscal_year=period.fiscal_year,
                    value=data["value"],
                    user=self.user,
                    period=period.period,
                )
            except ValidationError as exc:
                # A refusal is about the whole figure; a bad value, about its field.
                self.add_error(None, exc)
                return data
            if self.instance.pk and data.get("seen_version") is not None:
                try:
                    services.ensure_unchanged(
                        metric=metric,
                        period=period,
                        region=self.instance.region,
                        expected_version=data["seen_version"],
                        attempted=self.data.get(self.add_prefix("value")),
                    )
                except ValidationError as exc:
                    self.add_error(None, exc)
        return data


class TransitionForm(forms.Form):
    """A step of the reporting cycle, as the board's buttons post it."""

    action = forms.ChoiceField(choices=[(action, action) for action in cycle.TRANSITIONS])
    unit = forms.ModelChoiceField(queryset=Unit.objects.all())
    fiscal_year = forms.ModelChoiceField(queryset=FiscalYear.objects.all())
    quarter = forms.ChoiceField(choices=[(q, q) for q in ReportingPeriod.QUARTERS])
    # The return's comment or the reopen's reason (the service says when it is missing).
    text = forms.CharField(required=False)


class PublishForm(forms.Form):
    """The review page's post: the confirmation, the reason, a reason for each
    error (``ack-<finding key>``) and one for publishing an incomplete year.

    Only the confirmation is checked here; whether a reason is needed, and
    where, is ``services.publish_year``'s rule, read again under the year's lock.
    """

    confirm = forms.BooleanField(
        error_messages={"required": "Tick “I have reviewed this year” to publish it."}
    )
    reason = forms.CharField(required=False)
    incomplete_reason = forms.CharField(required=False)

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = [item.key for item in review.errors]
        for key in self.keys:
            self.fields[f"ack-{key}"] = forms.CharField(required=False)
            # Optional: a note for readers, printed on the published page.
            self.fields[f"public-{key}"] = forms.CharField(required=False)

    def acknowledgements(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"ack-{key}"] for key in self.keys}

    def public_notes(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"public-{key}"] for key in self.keys}


class CorrectionForm(forms.Form):
    # Required by the service, which says why in its own words.
    reason = forms.CharField(required=False)


class OpenYearForm(forms.Form):
    """The "Open 2025-26" button: the label it offers and the page to go back to."""

    label = forms.CharField(required=False)
    next = forms.CharField(required=False)
