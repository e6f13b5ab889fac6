"""The figure's admin form: what a person types, checked by the service that writes it."""

from django import forms
from django.core.exceptions import ValidationError

from reporting import services
from reporting.formatting import format_figure
from reporting.models import Figure


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
