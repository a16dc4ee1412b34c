from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    reference = models.CharField(max_length=40, unique=True)

    class Meta:
        abstract = True


class Named(models.Model):
    name = models.CharField(max_length=80)
    code = models.SlugField()

    class Meta:
        abstract = True
        unique_together = [("name", "code")]
