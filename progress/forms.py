from datetime import time

from django import forms

from meetings.forms import MeetingTimesForm
from schoolplan.forms import DateInput

from .models import Metric


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = ["name", "unit", "baseline", "target", "target_date", "direction"]
        widgets = {"target_date": DateInput()}


class ReviewScheduleForm(MeetingTimesForm):
    default_start, default_end = time(15, 0), time(16, 30)
