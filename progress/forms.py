from datetime import datetime, time

from django import forms
from django.utils import timezone

from schoolplan.forms import DateInput

from .models import Metric


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = ["name", "unit", "baseline", "target", "target_date", "direction"]
        widgets = {"target_date": DateInput()}


class ReviewScheduleForm(forms.Form):
    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), initial=time(15, 0)
    )
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), initial=time(16, 30))
    place = forms.CharField(max_length=200, required=False)
    video_link = forms.URLField(required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            tz = timezone.get_current_timezone()
            data["starts_at"] = timezone.make_aware(datetime.combine(day, start), tz)
            data["ends_at"] = timezone.make_aware(datetime.combine(day, end), tz)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end_time", "The review must end after it starts.")
        if not data.get("place") and not data.get("video_link"):
            self.add_error("place", "Give a place, a video link, or both.")
        return data
