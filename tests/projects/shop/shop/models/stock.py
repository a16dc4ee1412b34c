from django.db import models

__all__ = ["Shelf", "StockLine"]


class Shelf(models.Model):
    label = models.CharField(max_length=10, primary_key=True)


class StockLine(models.Model):
    product = models.ForeignKey("store.Product", on_delete=models.PROTECT)
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="lines")
    bin = models.OneToOneField("Shelf", on_delete=models.CASCADE, related_name="+")
