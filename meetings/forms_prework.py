from django import forms

from schoolplan.forms import ModelMultipleChoiceField


class PreworkForm(forms.Form):
    """The pre-work (meetings.prework): the SAMI's high-leverage actions, or text or a file."""

    actions = ModelMultipleChoiceField(
        label="High-leverage actions from your SAMI",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick 2 to 4: the actions your team marked in its SAMI note catcher.",
    )
    prework = forms.CharField(
        label="…or type them (a SAMI done on paper)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    prework_file = forms.FileField(
        label="…or attach them",
        required=False,
        help_text="PDF, Word or text, 5 MB at most.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = offered
        if not offered:
            self.fields["actions"].help_text = (
                "None yet: mark 2–4 high-leverage actions in your school's SAMI note catcher, "
                "or type or attach them below."
            )

    def clean_prework_file(self):
        upload = self.cleaned_data.get("prework_file")
        if upload:
            if upload.size > 5 * 1024 * 1024:
                raise forms.ValidationError("The file is larger than 5 MB.")
            if not upload.name.lower().endswith((".pdf", ".doc", ".docx", ".txt", ".odt")):
                raise forms.ValidationError("Attach a PDF, Word, OpenDocument or text file.")
        return upload
