"""The model index's derivation fact (project/derived.py): which fields a model's save() or a
pre_save receiver computes from the row's own fields, and which it stores case-normalised."""

from __future__ import annotations

import ast
import json
import textwrap

import pytest

from flake8_django_integrity.project.index import ProjectIndex

HEADER = """\
import hashlib
import uuid

from django.db import models
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import slugify

NS = uuid.UUID("12345678-1234-5678-1234-567812345678")
"""


def build(tmp_path, models: str, **others: str) -> ProjectIndex:
    app = tmp_path / "shop"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(HEADER + textwrap.dedent(models))
    for name, text in others.items():
        (app / f"{name}.py").write_text(textwrap.dedent(text))
    return ProjectIndex(str(tmp_path)).build()


def model(index: ProjectIndex, name: str):
    return index.models[f"shop.models.{name}"]


def one_model(tmp_path, field_lines: str, save_body: str, extra: str = ""):
    """A model ``M`` with ``field_lines`` and a save() whose body is ``save_body``."""
    body = textwrap.indent(textwrap.dedent(save_body), " " * 8)
    fields = textwrap.indent(textwrap.dedent(field_lines), " " * 4)
    source = (f"class M(models.Model):\n{fields}\n"
              f"    def save(self, *args, **kwargs):\n{body}"
              f"        super().save(*args, **kwargs)\n{textwrap.indent(textwrap.dedent(extra), ' ' * 4)}")
    return model(build(tmp_path, source), "M")


FIELDS = """\
label = models.CharField(max_length=50)
path = models.TextField()
slug = models.SlugField(unique=True)
key = models.CharField(max_length=64, unique=True, null=True)
path_id = models.UUIDField(null=True)
"""


@pytest.mark.parametrize("body, derived", [
    ("self.slug = slugify(self.label)\n", {"slug": "label"}),
    ("self.slug = '%s-%s' % (self.label, self.path)\n", {"slug": "label path"}),
    ("self.slug = f'{self.label}-x'\n", {"slug": "label"}),
    ("self.key = hashlib.md5(self.path.encode()).hexdigest()\n", {"key": "path"}),
    ("self.path_id = uuid.uuid5(NS, self.path)\n", {"path_id": "path"}),
    ("self.slug = self.label.lower().strip()\n", {"slug": "label"}),
    # only when empty: the empty value of a NOT NULL string field is ""
    ("if not self.slug:\n    self.slug = slugify(self.label)\n", {"slug": "label"}),
    ("if self.slug == '':\n    self.slug = slugify(self.label)\n", {"slug": "label"}),
    ("if self.key is None:\n    self.key = slugify(self.label)\n", {"key": "label"}),
    ("if self.slug is None:\n    self.slug = slugify(self.label)\n", {}),  # never None
    ("if self.key == '':\n    self.key = slugify(self.label)\n", {}),  # nullable: None
    # a truthiness test of the source: an empty label leaves the slug empty, which the NOT NULL
    # column rejects; a nullable column would store NULL twice
    ("if self.label and not self.slug:\n    self.slug = slugify(self.label)\n", {"slug": "label"}),
    ("if self.label and self.key is None:\n    self.key = slugify(self.label)\n", {}),
    # else may only give the field another value
    ("if not self.slug:\n    self.slug = slugify(self.label)\nelse:\n    self.slug = slugify(self.slug)\n",
     {"slug": "label"}),
    # a test of something else: what follows may not run
    ("if self.pk:\n    self.slug = slugify(self.label)\n", {}),
    ("if not self.slug:\n    self.slug = slugify(self.label)\n    self.key = self.label\n", {}),
])
def test_what_save_derives(tmp_path, body, derived):
    assert one_model(tmp_path, FIELDS, body).save_derived == derived


@pytest.mark.parametrize("body", [
    "self.slug = slugify(self.label) + str(timezone.now())\n",  # the clock
    "self.slug = uuid.uuid4().hex\n",  # random
    "self.key = str(hash(self.path))\n",  # hash() of a str is salted per process
    "self.slug = unique_slugify(self, self.label)\n",  # the whole instance: anything
    "self.slug = slugify(self.id)\n",  # the primary key the database gives: None on insert
    "self.slug = self.make_slug()\n",  # a method that reads the instance
    "base = slugify(self.label)\nself.slug = base\n",  # a local
    "self.slug = slugify(args[0])\n",  # a parameter of save()
    "self.slug = slugify(self.title)\n",  # a property, not a field
])
def test_what_save_does_not_derive(tmp_path, body):
    extra = "def make_slug(self):\n    return slugify(self.label)\n"
    assert one_model(tmp_path, FIELDS, body, extra).save_derived == {}


def test_a_default_fills_the_field_before_the_test(tmp_path):
    fields = "label = models.CharField(max_length=50)\nslug = models.SlugField(unique=True, default='x')\n"
    body = "if not self.slug:\n    self.slug = slugify(self.label)\n"
    assert one_model(tmp_path, fields, body).save_derived == {}
    # unconditionally: the default is overwritten
    (tmp_path / "b").mkdir()
    fact = one_model(tmp_path / "b", fields, "self.slug = slugify(self.label)\n")
    assert fact.save_derived == {"slug": "label"}


def test_a_one_return_method_of_the_model(tmp_path):
    extra = """\
    @classmethod
    def _path_id(cls, path):
        \"\"\"A name-based UUID.\"\"\"
        return uuid.uuid5(NS, path)

    @staticmethod
    def _stamp(path):
        return path + str(timezone.now())
    """
    fact = one_model(tmp_path, FIELDS, "if self.path and self.path_id is None:\n"
                     "    self.path_id = self._path_id(self.path)\n", extra)
    assert fact.save_derived == {}  # path_id is nullable: an empty path stores NULL
    notnull = FIELDS.replace("path_id = models.UUIDField(null=True)", "path_id = models.UUIDField()")
    (tmp_path / "b").mkdir()
    fact = one_model(tmp_path / "b", notnull, "if self.path and self.path_id is None:\n"
                     "    self.path_id = self._path_id(self.path)\n", extra)
    assert fact.save_derived == {"path_id": "path"}
    (tmp_path / "c").mkdir()
    fact = one_model(tmp_path / "c", FIELDS, "self.slug = self._stamp(self.label)\n", extra)
    assert fact.save_derived == {}


@pytest.mark.parametrize("body, folded", [
    ("self.label = self.label.lower()\n", ["label"]),
    ("self.label = self.label.strip().casefold()\n", ["label"]),
    ("if self.label:\n    self.label = self.label.upper()\n", ["label"]),
    ("self.label = self.label.strip()\n", []),
    ("self.label = self.path.lower()\n", []),  # another field's value: a derivation
    ("self.label = self.label.lower()\nself.label = self.label + str(timezone.now())\n", []),
])
def test_case_folded(tmp_path, body, folded):
    assert one_model(tmp_path, FIELDS, body).case_folded == folded


RECEIVER_MODELS = """\
class Topic(models.Model):
    name = models.CharField(max_length=50)
    slug = models.SlugField(unique=True, null=True)


class SubTopic(Topic):
    pass


class Keyword(models.Model):
    word = models.CharField(max_length=50)
    slug = models.SlugField(unique=True, null=True)


def keyword_slug(sender, instance, **kwargs):
    if not instance.slug:
        instance.slug = slugify(instance.word)


pre_save.connect(keyword_slug, Keyword)


class Badge(models.Model):
    name = models.CharField(max_length=50)
    slug = models.SlugField(unique=True, null=True)
    email = models.EmailField()


@receiver(post_save, sender=Badge)
def badge_slug(sender, instance, **kwargs):
    instance.slug = slugify(instance.name)


@receiver([pre_save], sender="shop.Badge")
def badge_email(sender, instance, **kwargs):
    instance.email = instance.email.lower()
"""

SIGNALS = """\
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.text import slugify

from shop.models import Topic


@receiver(pre_save, sender=Topic)
def topic_slug(sender, instance, **kwargs):
    instance.slug = slugify(instance.name)
"""


def test_pre_save_receivers(tmp_path):
    index = build(tmp_path, RECEIVER_MODELS, signals=SIGNALS)
    assert model(index, "Topic").save_derived == {"slug": "name"}
    assert model(index, "Keyword").save_derived == {"slug": "word"}  # connect(f, Model)
    badge = model(index, "Badge")
    assert badge.save_derived == {}  # post_save runs after the row is written
    assert badge.case_folded == ["email"]  # a sender named by its label
    # Django sends pre_save with the subclass as sender: the parent's receiver does not run
    assert model(index, "SubTopic").save_derived == {}
    assert str(tmp_path / "shop" / "signals.py") in index.input_files


def test_receiver_facts_survive_the_cache_and_an_overlay(tmp_path):
    index = build(tmp_path, RECEIVER_MODELS, signals=SIGNALS)
    data = json.loads(json.dumps(index.to_json()))
    loaded = ProjectIndex.from_json(str(tmp_path), None, data)
    for name in ("Topic", "Keyword", "Badge", "SubTopic"):
        assert model(loaded, name).save_derived == model(index, name).save_derived
        assert model(loaded, name).case_folded == model(index, name).case_folded
    # the models module linted from an unsaved buffer: its models are read again, with the
    # receivers of signals.py still applied
    path = str(tmp_path / "shop" / "models.py")
    source = HEADER + textwrap.dedent(RECEIVER_MODELS) + "\n# edited\n"
    over = loaded.overlay(path, ast.parse(source), source)
    assert model(over, "Topic").save_derived == {"slug": "name"}
    assert model(over, "SubTopic").save_derived == {}
    assert model(over, "Badge").case_folded == ["email"]


def test_malformed_receiver_facts_are_refused(tmp_path):
    index = build(tmp_path, RECEIVER_MODELS, signals=SIGNALS)
    data = json.loads(json.dumps(index.to_json()))
    data["receiver_facts"]["shop.models.Topic"]["derived"] = {"slug": "name; DROP"}
    with pytest.raises(ValueError):
        ProjectIndex.from_json(str(tmp_path), None, data)


@pytest.mark.parametrize("call", ["gen_giftcard_secret", "generate_code", "make_salt", "helpers.random_slug"])
def test_a_function_named_for_a_new_value_derives_nothing(tmp_path, call):
    body = f"if not self.slug:\n    self.slug = {call}(self.label)\n"
    assert one_model(tmp_path, FIELDS, body).save_derived == {}
    (tmp_path / "b").mkdir()  # a project function named for a computation is taken as one
    assert one_model(tmp_path / "b", FIELDS, "self.slug = make_slug(self.label)\n").save_derived == {
        "slug": "label"}
