from django.contrib import admin

from .models import ActivityReview, Comment, Measurement, Metric

admin.site.register(Metric)
admin.site.register(Measurement)
admin.site.register(ActivityReview)
admin.site.register(Comment)
