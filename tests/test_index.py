"""The project model index: what it knows about the model_index fixture project."""

from __future__ import annotations

import ast

import pytest

from flake8_django_integrity.context import FileContext
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project.index import ProjectIndex

from harness import FIXTURES

ROOT = FIXTURES / "model_index"


@pytest.fixture(scope="module")
def index():
    return ProjectIndex(str(ROOT)).build()


def unique_fields(model):
    return {(u.fields, u.source, u.conditional) for u in model.unique_sets}


def test_models_found_with_app_labels(index):
    labels = {m.label for m in index.models.values() if not m.builtin and not m.abstract}
    assert labels == {
        "catalog.Category", "catalog.Product", "catalog.DigitalProduct", "catalog.ProductProxy",
        "people.Account", "people.Profile", "orders.Order",
    }


def test_reexported_names_resolve_to_the_defining_module(index):
    assert index.canonical("catalog.models.Product") == "catalog.models.product.Product"
    # through a star import
    assert index.canonical("catalog.models.Category") == "catalog.models.category.Category"


def test_abstract_mixins_give_fields_and_unique_sets(index):
    product = index.model("catalog.models.Product")
    assert {"created", "external_id", "sku", "id"} <= set(product.fields)
    assert unique_fields(product) == {
        (("id",), "primary_key", False),
        (("external_id",), "unique", False),
        (("shop", "sku"), "unique_together", False),
        (("name",), "constraint", True),
    }


def test_multi_table_and_proxy_inheritance(index):
    digital = index.model("catalog.models.product.DigitalProduct")
    assert digital.concrete_parents == ["catalog.models.product.Product"]
    assert (("download_url",), "unique", False) in unique_fields(digital)
    assert (("shop", "sku"), "unique_together", False) in unique_fields(digital)
    proxy = index.model("catalog.models.product.ProductProxy")
    assert proxy.proxy and proxy.concrete_parents == []
    assert (("shop", "sku"), "unique_together", False) in unique_fields(proxy)


def test_custom_field_subclass_resolves_to_django_field(index):
    category = index.model("catalog.models.Category")
    assert category.fields["code"].kind == "CharField"
    assert category.fields["code"].unique


def test_custom_user_model_from_settings_and_contrib_base(index):
    assert index.user_model_label == "people.account"
    user = index.user_model()
    assert user.qualname == "accounts.models.Account"
    # username comes from Django's AbstractUser, email is the project's own
    assert {(("username",), "unique", False), (("email",), "unique", False)} <= unique_fields(user)


def test_foreign_keys_resolve_to_labels(index):
    product = index.model("catalog.models.Product")
    assert product.fields["category"].to == "catalog.category"
    assert product.fields["owner"].to == "people.account"  # settings.AUTH_USER_MODEL
    order = index.model("orders.models.Order")
    assert order.fields["buyer"].to == "people.account"  # get_user_model()
    assert order.fields["site"].to == "sites.site"  # contrib
    assert order.fields["items"].relation == "m2m"
    assert order.pk_name == "code"
    category = index.model("catalog.models.Category")
    assert category.fields["parent"].to == "self"
    profile = index.model("accounts.models.Profile")
    assert (("account",), "one_to_one", False) in unique_fields(profile)


def test_reverse_accessors_and_managers(index):
    assert index.reverse["accounts.models.Account"]["products"][0] == "catalog.models.product.Product"
    assert index.reverse["catalog.models.product.Product"]["orders"][0] == "orders.models.Order"
    assert index.reverse["catalog.models.category.Category"]["children"][0] == "catalog.models.category.Category"
    assert index.reverse["catalog.models.category.Category"]["product_set"][0] == "catalog.models.product.Product"
    managed = {m.qualname for m in index.models_for_manager("catalog.models.product.ProductManager")}
    assert "catalog.models.product.Product" in managed
    assert {m.qualname for m in index.models_for_manager("catalog.models.product.ProductQuerySet")} >= {
        "catalog.models.product.Product"
    }


def test_contrib_models_are_known(index):
    group = index.model("django.contrib.auth.models.Group")
    assert (("name",), "unique", False) in unique_fields(group)
    perm = index.model_by_label("auth.Permission")
    assert (("content_type", "codename"), "unique_together", False) in unique_fields(perm)
    assert index.model_by_label("contenttypes.ContentType") is not None
    assert index.model_by_label("sites.Site").fields["domain"].unique


def test_linted_file_resolves_aliases_and_module_aliases():
    path = ROOT / "orders" / "services.py"
    tree = ast.parse(path.read_text())
    ctx = FileContext(tree, str(path), Settings(use_cache=False))
    assert ctx.module == "orders.services"
    cat = ast.parse("Cat", mode="eval").body
    assert ctx.model_named(cat).qualname == "catalog.models.category.Category"
    via_module = ast.parse("catalog_models.Product", mode="eval").body
    assert ctx.model_named(via_module).qualname == "catalog.models.product.Product"
    relative = ast.parse("Order", mode="eval").body
    assert ctx.model_named(relative).qualname == "orders.models.Order"
    user = ast.parse("get_user_model()", mode="eval").body
    assert ctx.model_named(user).qualname == "accounts.models.Account"
    assert ctx.model_named(ast.parse("Unknown", mode="eval").body) is None


OWN_USER = FIXTURES / "own_user_model"


def test_project_without_the_setting_uses_its_one_concrete_user_model():
    # no settings module names AUTH_USER_MODEL, and the project ships one concrete model on
    # AbstractBaseUser: that is the user model where the project runs
    index = ProjectIndex(str(OWN_USER)).build()
    assert index.user_model_label == "forum.member"
    assert index.models["forum.models.Badge"].fields["holder"].to == "forum.member"


def _app_index(tmp_path, app_name, models_source, settings=None):
    """The index of a one-app project under ``tmp_path`` (``settings``: the app's settings.py)."""
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    app = tmp_path / app_name
    app.mkdir()
    (app / "__init__.py").write_text("")
    if settings is not None:
        (app / "settings.py").write_text(settings)
    (app / "models.py").write_text(models_source)
    return ProjectIndex(str(tmp_path)).build()


def _user_project(tmp_path, settings, users):
    body = "".join(f"\n\nclass {name}(AbstractBaseUser):\n    handle = models.CharField("
                   "max_length=9, unique=True)\n" for name in users)
    return _app_index(tmp_path, "club", "from django.contrib.auth.base_user import AbstractBaseUser\n"
                      "from django.db import models\n" + body, settings)


def test_two_concrete_user_models_without_the_setting_leave_auth_user(tmp_path):
    assert _user_project(tmp_path, "DEBUG = True\n", ["Member", "Staff"]).user_model_label == "auth.user"


def test_the_setting_names_the_user_model_over_the_one_the_project_ships(tmp_path):
    index = _user_project(tmp_path, 'AUTH_USER_MODEL = "auth.User"\n', ["Member"])
    assert index.user_model_label == "auth.user"


def test_getattr_of_the_setting_names_the_user_model(tmp_path):
    # reusable apps spell the user model getattr(settings, "AUTH_USER_MODEL", "auth.User"),
    # in the field and through a module name; getattr of another setting is no user model
    index = _user_project(tmp_path, 'AUTH_USER_MODEL = "club.Member"\n', ["Member"])
    models_py = tmp_path / "club" / "models.py"
    models_py.write_text(
        models_py.read_text() + "from django.conf import settings\n"
        "OWNER = getattr(settings, 'AUTH_USER_MODEL', 'auth.User')\n\n\n"
        "class Clip(models.Model):\n"
        "    user = models.ForeignKey(getattr(settings, 'AUTH_USER_MODEL', 'auth.User'),\n"
        "                             on_delete=models.CASCADE)\n"
        "    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name='+')\n"
        "    other = models.ForeignKey(getattr(settings, 'CLIP_MODEL', 'auth.User'),\n"
        "                              on_delete=models.CASCADE, related_name='+')\n")
    index = ProjectIndex(str(tmp_path)).build()
    clip = index.models["club.models.Clip"]
    assert clip.fields["user"].to == "club.member"
    assert clip.fields["owner"].to == "club.member"
    assert clip.fields["other"].to != "club.member"


def test_a_field_redeclared_in_a_subclass_overrides_the_base_in_mro_order():
    # dji002_unique_migration/shop: Named.slug is unique; SiteSlug(Named) redeclares it
    # without unique; Listed(Named) does not redeclare it
    built = ProjectIndex(str(FIXTURES / "dji002_unique_migration")).build()
    page = built.model("shop.models.Page")  # Page(SiteSlug)
    chapter = built.model("shop.models.Chapter")  # Chapter(Listed, SiteSlug): SiteSlug's slug
    article = built.model("shop.models.Article")  # Article(Named): Named's slug
    for model in (page, chapter):
        assert model.fields["slug"].declared_in == "shop.models.SiteSlug"
        assert model.fields["slug"].unique is False
        assert (("slug",), "unique", False) not in unique_fields(model)
        assert (("site", "slug"), "unique_together", False) in unique_fields(model)
    assert chapter.fields["position"].declared_in == "shop.models.Listed"
    assert article.fields["slug"].declared_in == "shop.models.Named"
    assert (("slug",), "unique", False) in unique_fields(article)


def test_a_subclass_of_a_concrete_model_keeps_the_unique_field_it_inherits(tmp_path):
    # the concrete Article re-stamps Named's unique slug with its own name while the field
    # keeps Named as its declaring class (as Django's User over AbstractUser): a proxy or child
    # of Article that does not redeclare slug keeps it unique
    built = _app_index(
        tmp_path, "blog",
        "from django.db import models\n\n\n"
        "class Named(models.Model):\n"
        "    slug = models.SlugField(unique=True)\n\n"
        "    class Meta:\n        abstract = True\n\n\n"
        "class Article(Named):\n    title = models.CharField(max_length=10)\n\n\n"
        "class Featured(Article):\n    class Meta:\n        proxy = True\n\n\n"
        "class Plain(Article):\n    slug = models.SlugField()\n\n    class Meta:\n"
        "        proxy = True\n")
    assert (("slug",), "unique", False) in unique_fields(built.model("blog.models.Article"))
    assert (("slug",), "unique", False) in unique_fields(built.model("blog.models.Featured"))
    # the neighbour: redeclared without unique, the slug is not unique
    assert (("slug",), "unique", False) not in unique_fields(built.model("blog.models.Plain"))


def test_a_proxy_of_djangos_user_keeps_the_unique_username(tmp_path):
    # Django's concrete User re-stamps AbstractUser's unique username with its own name, while
    # the field keeps AbstractUser as its declaring class: a project's proxy of User (a
    # product's own "User" for type hints) keeps the unique username
    built = _app_index(
        tmp_path, "accounts",
        "from django.contrib.auth.models import User as BaseUser\n\n\n"
        "class User(BaseUser):\n    class Meta:\n        proxy = True\n")
    assert (("username",), "unique", False) in unique_fields(built.model("accounts.models.User"))
