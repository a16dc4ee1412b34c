"""Django's own models, known without reading Django's source.

A project's code writes to auth's User and Group, contenttypes and sites all the time; their
unique columns (Django 4.2-5.x) are facts about Django, written down here once.  When the
linted project *is* Django (its contrib apps are in the tree), the models read from source
take precedence over these.
"""

from __future__ import annotations

from .facts import FieldFact, ModelFact, UniqueSet

_AUTH = "django.contrib.auth.models"


def _field(name, kind, unique=False, primary_key=False, null=False, blank=False,
           has_default=False, relation=None, to=None, declared_in=""):
    return FieldFact(
        name=name, kind=kind, line=0, col=0, unique=unique, primary_key=primary_key,
        null=null, blank=blank, has_default=has_default, relation=relation, to=to,
        on_delete="CASCADE" if relation in ("fk", "o2o") else None,
        has_on_delete=relation in ("fk", "o2o"), declared_in=declared_in,
    )


def _model(qualname, app_label, fields, unique_sets=(), abstract=False, bases=()):
    module, _, name = qualname.rpartition(".")
    fact = ModelFact(
        qualname=qualname, name=name, module=module, path="", line=0, app_label=app_label,
        abstract=abstract, builtin=True, bases=list(bases),
    )
    has_pk = any(f.primary_key for f in fields)
    if not has_pk and not abstract:
        fields = [_field("id", "AutoField", primary_key=True, declared_in=qualname)] + list(fields)
    for f in fields:
        f.declared_in = f.declared_in or qualname
        fact.fields[f.name] = f
    for f in fact.fields.values():
        if f.primary_key:
            fact.unique_sets.append(UniqueSet((f.name,), "primary_key", 0, declared_in=qualname))
        elif f.unique or f.relation == "o2o":
            source = "one_to_one" if f.relation == "o2o" else "unique"
            fact.unique_sets.append(UniqueSet((f.name,), source, 0, declared_in=qualname))
    for names in unique_sets:
        fact.unique_sets.append(UniqueSet(tuple(names), "unique_together", 0, declared_in=qualname))
    fact.managers["objects"] = []
    return fact


def _user_fields(owner):
    return [
        _field("password", "CharField", declared_in=owner),
        _field("last_login", "DateTimeField", null=True, blank=True, declared_in=owner),
    ]


def _abstract_user_fields(owner):
    return _user_fields(owner) + [
        _field("is_superuser", "BooleanField", has_default=True, declared_in=owner),
        _field("username", "CharField", unique=True, declared_in=owner),
        _field("first_name", "CharField", blank=True, declared_in=owner),
        _field("last_name", "CharField", blank=True, declared_in=owner),
        _field("email", "EmailField", blank=True, declared_in=owner),
        _field("is_staff", "BooleanField", has_default=True, declared_in=owner),
        _field("is_active", "BooleanField", has_default=True, declared_in=owner),
        _field("date_joined", "DateTimeField", has_default=True, declared_in=owner),
    ]


def builtin_models() -> list[ModelFact]:
    abstract_user = f"{_AUTH}.AbstractUser"
    base_user = "django.contrib.auth.base_user.AbstractBaseUser"
    perms_mixin = f"{_AUTH}.PermissionsMixin"
    models = [
        _model(base_user, "auth", _user_fields(base_user), abstract=True),
        _model(perms_mixin, "auth",
               [_field("is_superuser", "BooleanField", has_default=True, declared_in=perms_mixin)],
               abstract=True),
        _model(abstract_user, "auth", _abstract_user_fields(abstract_user), abstract=True,
               bases=[base_user, perms_mixin]),
        _model(f"{_AUTH}.User", "auth", _abstract_user_fields(abstract_user),
               bases=[abstract_user]),
        _model(f"{_AUTH}.Group", "auth", [_field("name", "CharField", unique=True)]),
        _model(
            f"{_AUTH}.Permission", "auth",
            [_field("name", "CharField"),
             _field("content_type", "ForeignKey", relation="fk", to="contenttypes.contenttype"),
             _field("codename", "CharField")],
            unique_sets=[("content_type", "codename")],
        ),
        _model(
            "django.contrib.contenttypes.models.ContentType", "contenttypes",
            [_field("app_label", "CharField"), _field("model", "CharField")],
            unique_sets=[("app_label", "model")],
        ),
        _model("django.contrib.sites.models.Site", "sites",
               [_field("domain", "CharField", unique=True), _field("name", "CharField")]),
        _model("django.contrib.sessions.models.Session", "sessions",
               [_field("session_key", "CharField", primary_key=True),
                _field("session_data", "TextField"), _field("expire_date", "DateTimeField")]),
        _model("django.contrib.flatpages.models.FlatPage", "flatpages",
               [_field("url", "CharField"), _field("title", "CharField")]),
        _model("django.contrib.redirects.models.Redirect", "redirects",
               [_field("site", "ForeignKey", relation="fk", to="sites.site"),
                _field("old_path", "CharField"), _field("new_path", "CharField", blank=True)],
               unique_sets=[("site", "old_path")]),
    ]
    for fact in models:
        if fact.qualname in (abstract_user, f"{_AUTH}.User"):
            fact.username_field = "username"
    return models


# Names under which Django exposes its model base and fields; resolution maps them here.
MODEL_BASE_QUALNAMES = frozenset(
    {"django.db.models.Model", "django.db.models.base.Model"}
)
# Aliases Django re-exports: the qualname a user imports -> the one facts are stored under.
REEXPORTS = {
    "django.contrib.auth.base_user.AbstractBaseUser": "django.contrib.auth.base_user.AbstractBaseUser",
    "django.contrib.auth.models.AbstractBaseUser": "django.contrib.auth.base_user.AbstractBaseUser",
}
