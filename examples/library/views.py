from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Author, Book, Review, Tag


def add_tag(request):
    name = request.POST["name"]
    if not Tag.objects.filter(name=name).exists():
        # DJI003: two requests both see "no such tag" and both create it.
        Tag.objects.create(name=name)
    return HttpResponse("ok")


def register_book(request, author_pk):
    author = get_object_or_404(Author, pk=author_pk)
    # DJI001: an ISBN that is already registered raises IntegrityError (a 500 for the user).
    book = Book.objects.create(isbn=request.POST["isbn"], title=request.POST["title"], author=author, edition=1)
    return HttpResponse(book.pk)


def review_book(request):
    # DJI005: the book id comes straight from the form; a missing book breaks the FK.
    Review.objects.create(book_id=request.POST["book"], reviewer=request.user, stars=5)
    return HttpResponse("ok")


def rate_book(request, book_pk):
    book = get_object_or_404(Book, pk=book_pk)
    # DJI007: nothing makes (book, reviewer) unique, so two clicks create two reviews.
    review, _ = Review.objects.get_or_create(book=book, reviewer=request.user, defaults={"stars": 3})
    return HttpResponse(review.stars)


def rename_tag(request, tag_pk):
    tag = get_object_or_404(Tag, pk=tag_pk)
    tag.name = request.POST["name"]
    try:
        tag.save()
    # DJI006: ATOMIC_REQUESTS wraps the view in a transaction; on PostgreSQL it is now broken
    # and the get() below fails.
    except IntegrityError:
        owner = Tag.objects.get(name=tag.name)
        return HttpResponse(f"That name is taken by tag {owner.pk}", status=409)
    return HttpResponse("ok")
