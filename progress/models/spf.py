"""SPF results and the plain-language family summary (seed 000): what families read, and what
shares the results."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from schoolplan.models import School, SchoolYear


class SpfRating(models.TextChoices):
    """The School Performance Framework's overall ratings, best first."""

    DISTINGUISHED = "distinguished", _("Distinguished")
    MEETS = "meets", _("Meets expectations")
    WATCH = "watch", _("Accredited on watch")
    PRIORITY_WATCH = "priority_watch", _("Accredited on priority watch")
    PROBATION = "probation", _("Accredited on probation")


# The indicators, each a percent of the points the school could earn on it.
SPF_INDICATORS = [
    ("growth", _("Student growth")),
    ("achievement", _("Student achievement")),
    ("gaps", _("Closing the gaps")),
    ("engagement", _("Student engagement")),
    ("postsecondary", _("College and career readiness")),
]


def _percent(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class SpfResult(models.Model):
    """A school's SPF result for one year: its overall rating and indicator scores."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="spf_results")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField("Overall rating", max_length=20, choices=SpfRating)
    overall = models.DecimalField(
        "Overall (% of points)",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    growth = _percent("Student growth")
    achievement = _percent("Student achievement")
    gaps = _percent("Closing the gaps")
    engagement = _percent("Student engagement")
    postsecondary = _percent("College and career readiness")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        verbose_name = "SPF result"
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="one_spf_result_a_year")
        ]

    def __str__(self):
        return f"SPF {self.school_year.name}: {self.school} – {self.get_rating_display()}"

    @property
    def indicators(self):
        return [(key, label, getattr(self, key)) for key, label in SPF_INDICATORS]


class SpfSummary(models.Model):
    """The plain-language SPF summary for families, in each of the school's languages.

    Published, it shows on the school's family page; published inside the year's SPF sharing
    window, it meets the requirement to share SPF results with families (seed 000)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="spf_summaries")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    texts = models.JSONField(default=dict)  # language code -> the text families read
    # language code -> the English its text was made from (schoolplan.translations.state)
    sources = models.JSONField(default=dict, blank=True)
    # Each language's text at most this long (README, "Length limits"): a page, not a book.
    MAX_CHARS = 10_000
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        verbose_name = "SPF family summary"
        verbose_name_plural = "SPF family summaries"
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="one_spf_summary_a_year")
        ]

    def __str__(self):
        return f"SPF summary {self.school_year.name}: {self.school}"

    @property
    def is_published(self):
        return self.published_at is not None

    def translation_state(self, language):
        """Whether the text in language is missing, older than the English, or current."""
        from schoolplan import translations

        return translations.state(
            self.texts.get("en", ""), self.texts.get(language), self.sources.get(language)
        )

    def text_in(self, language):
        """The text in language, else in English, else in any language: (language, text)."""
        for code in (language, "en", *self.texts):
            if (self.texts.get(code) or "").strip():
                return code, self.texts[code]
        return None, ""
