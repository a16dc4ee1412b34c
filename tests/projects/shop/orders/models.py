from django.db import models

from catalog.models import Entry
from shop import models as shop_models


class Order(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="orders")
    shelf = models.ForeignKey(shop_models.Shelf, on_delete=models.CASCADE)
    number = models.IntegerField()

    class Meta:
        unique_together = ("entry", "number")
