"""Choosing one's reminders: per category on or off, single e-mails or one daily digest, and the
language. Every reminder e-mail links to the token page, which works without logging in."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from .models import NotificationSettings, Reminder, ReminderCategory


class NotificationSettingsForm(forms.ModelForm):
    wanted = forms.MultipleChoiceField(
        label="E-mail me about",
        choices=ReminderCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick a kind of reminder to stop its e-mails; it still shows on your home "
        "page.",
    )

    class Meta:
        model = NotificationSettings
        fields = ["digest", "language"]
        help_texts = {"digest": "Everything of the day in one e-mail in the morning."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["wanted"] = [
            c for c in ReminderCategory.values if c not in self.instance.muted
        ]

    def save(self, commit=True):
        self.instance.muted = [
            c for c in ReminderCategory.values if c not in self.cleaned_data["wanted"]
        ]
        return super().save(commit)


def _edit(request, preferences, template_context):
    form = NotificationSettingsForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your reminder settings are saved.")
        return redirect(request.path)
    sent = Reminder.objects.filter(recipient_id=preferences.user_id).exclude(channel="")[:20]
    return render(
        request,
        "schoolplan/notification_settings.html",
        {"form": form, "preferences": preferences, "sent": sent, **template_context},
    )


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    # Read without writing: the settings row is created when the person first saves.
    preferences = NotificationSettings.objects.filter(user=request.user).first()
    preferences = preferences or NotificationSettings(user=request.user)
    return _edit(request, preferences, {"by_token": False})


@login_not_required
@require_http_methods(["GET", "POST"])
def notification_settings_token(request, token):
    """Reached from a reminder e-mail: the token in the address stands for the person."""
    preferences = get_object_or_404(
        NotificationSettings.objects.select_related("user"), token=token, user__is_active=True
    )
    return _edit(request, preferences, {"by_token": True})
