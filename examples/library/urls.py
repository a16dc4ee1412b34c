from django.urls import path

from . import views

urlpatterns = [
    path("tags/add/", views.add_tag),
    path("authors/<int:author_pk>/books/", views.register_book),
    path("reviews/", views.review_book),
    path("books/<int:book_pk>/rate/", views.rate_book),
    path("tags/<int:tag_pk>/rename/", views.rename_tag),
]
