from django.conf import settings
from django.db import models

from core.mixins import Named, Stamped


class ProductQuerySet(models.QuerySet):
    def live(self):
        return self.filter(active=True)


class Product(Stamped, Named):
    sku = models.CharField(max_length=20, unique=True)
    active = models.BooleanField(default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products")

    objects = ProductQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "sku"], name="one_sku_per_owner"),
            models.UniqueConstraint(fields=["name"], condition=models.Q(active=True), name="live_name"),
        ]
