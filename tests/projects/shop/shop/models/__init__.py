from .product import Product, ProductQuerySet
from .stock import *  # noqa: F401,F403

Item = Product
