"""A school's words for families, in another language (issue 22, "content in each family
language"): one row per object, field and language, made by a person (no machine translation).

`source` is the English the translation was made from: when the English changes, the translation
is "outdated" until someone updates it or confirms it still says the same (schoolplan.translations).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .organisation import School
from .versioned import Versioned


class ContentTranslation(Versioned):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=50)
    language = models.CharField(max_length=10)
    text = models.TextField(blank=True)
    source = models.TextField(blank=True)  # the English this was translated from
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="one_translation_a_field_and_language",
            )
        ]
        indexes = [models.Index(fields=["school", "language"])]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} {self.field} ({self.language})"
