from django.contrib.auth import get_user_model
from django.db import models

from shop.models import Item

User = get_user_model()


class EntryManager(models.Manager):
    pass


class Entry(models.Model):
    item = models.OneToOneField(Item, on_delete=models.CASCADE)
    editor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    slug = models.SlugField(unique=True)

    objects = EntryManager()
    published = EntryManager()
