from django.db import models


class Versioned(models.Model):
    """Optimistic locking: a save names the version it started from (plans.services.update)."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
