from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from catalog.models import Entry
from shop.models import Item, Shelf, StockLine
from shop.models.product import Product

from .models import Order


def place(entry_slug, number, user_id):
    entry = Entry.objects.get(slug=entry_slug)
    if not Order.objects.filter(entry=entry, number=number).exists():
        Order.objects.create(entry=entry, number=number, shelf_id=1)
    Item.objects.create(sku="x", name="n", code="c", reference="r", owner_id=user_id)
    Product.objects.live().filter(sku="x").first()
    StockLine.objects.create(product_id=1, shelf=Shelf(label="a"), bin_id="a")
    try:
        with transaction.atomic():
            get_user_model().objects.create(username="bob")
    except IntegrityError:
        pass
    return entry.orders.all(), Entry.published.count()
