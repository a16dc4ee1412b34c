from django.conf import settings
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=200)
    # DJI008: every author saved without a slug stores "", and the second one collides.
    slug = models.SlugField(unique=True, blank=True)


class Book(models.Model):
    isbn = models.CharField(max_length=13, unique=True)
    title = models.CharField(max_length=200)
    # DJI005: deleting an author with books violates the foreign key constraint.
    author = models.ForeignKey(Author, on_delete=models.DO_NOTHING)
    edition = models.PositiveIntegerField()

    class Meta:
        # DJI002: no migration creates this uniqueness; tests (built from models) pass,
        # production (built from migrations) lets duplicates in.
        unique_together = [("author", "title")]


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    stars = models.PositiveSmallIntegerField()


class ReaderProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
