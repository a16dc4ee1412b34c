"""The facts the index knows about models: plain data, so they can be cached as JSON."""

from __future__ import annotations

from .records import Record, as_dict

# Field classes Django ships, by the kind the rules care about.
RELATION_KINDS = {"ForeignKey": "fk", "OneToOneField": "o2o", "ManyToManyField": "m2m"}
STRING_FIELDS = frozenset(
    {"CharField", "SlugField", "EmailField", "URLField", "TextField", "CICharField",
     "CIEmailField", "CITextField", "FilePathField", "GenericIPAddressField"}
)
AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
NO_COLUMN_FIELDS = frozenset({"ManyToManyField", "GenericRelation", "GenericForeignKey"})


class FieldFact(Record):
    """A model field as its declaration (and its class) makes it."""

    name: str
    kind: str  # Django base class name: "CharField", "ForeignKey", ... or the class's own name
    line: int
    col: int
    # null / unique / blank / has_default as the field's class makes them (its __init__ may
    # set them): True, False, or None when unknown (a class the index cannot read, a value
    # only known at run time).  An unknown never fires a rule: test ``is True`` / ``is False``.
    unique: bool | None = False
    primary_key: bool = False
    null: bool | None = False
    blank: bool | None = False
    has_default: bool | None = False
    has_db_default: bool | None = False
    auto_now: bool | None = False  # auto_now or auto_now_add
    fills_on_save: bool | None = False  # its class's pre_save() computes the value (an auto slug)
    # other fields a write of this one fills, space-separated: an ImageField's width_field and
    # height_field take the dimensions of the image written (Django's update_dimension_fields)
    fills: str = ""
    # default= is a literal other than None (``default="global"``, ``default=0``): every row
    # that does not supply the field gets that same value (a callable's value may differ)
    constant_default: bool = False
    generated: bool = False
    # relations
    relation: str | None = None  # "fk", "o2o", "m2m" or None
    to: str | None = None  # model label ("shop.product"), "self", or unresolved text
    on_delete: str | None = None  # last name component: "CASCADE", "DO_NOTHING", ...
    has_on_delete: bool = False
    related_name: str | None = None
    db_constraint: bool = True
    declared_in: str = ""  # qualname of the class whose body declares it

    def __init__(self, name: str, kind: str, line: int, col: int, unique: bool | None = False,
                 primary_key: bool = False, null: bool | None = False, blank: bool | None = False,
                 has_default: bool | None = False, has_db_default: bool | None = False,
                 auto_now: bool | None = False, fills_on_save: bool | None = False, fills: str = "",
                 constant_default: bool = False, generated: bool = False, relation: str | None = None,
                 to: str | None = None, on_delete: str | None = None, has_on_delete: bool = False,
                 related_name: str | None = None, db_constraint: bool = True, declared_in: str = ""):
        self.name = name
        self.kind = kind
        self.line = line
        self.col = col
        self.unique = unique
        self.primary_key = primary_key
        self.null = null
        self.blank = blank
        self.has_default = has_default
        self.has_db_default = has_db_default
        self.auto_now = auto_now
        self.fills_on_save = fills_on_save
        self.fills = fills
        self.constant_default = constant_default
        self.generated = generated
        self.relation = relation
        self.to = to
        self.on_delete = on_delete
        self.has_on_delete = has_on_delete
        self.related_name = related_name
        self.db_constraint = db_constraint
        self.declared_in = declared_in

    @property
    def has_column(self) -> bool:
        return self.kind not in NO_COLUMN_FIELDS and self.relation != "m2m"

    @property
    def attname(self) -> str:
        return f"{self.name}_id" if self.relation in ("fk", "o2o") else self.name


class UniqueSet(Record):
    """A set of fields no two rows may share (a unique field, unique_together, a constraint)."""

    fields: tuple[str, ...]
    source: str  # "primary_key", "unique", "one_to_one", "unique_together", "constraint"
    line: int
    conditional: bool = False
    expressions: bool = False  # UniqueConstraint over expressions (Lower("name")): no plain lookup matches
    name: str | None = None
    declared_in: str = ""
    nulls_distinct: bool = True  # False: UniqueConstraint(nulls_distinct=False), NULLs collide too
    # expressions: the fields they read, space-separated ("" when one cannot be read)
    refs: str = ""
    # conditional: "field isnull True;field exact 'x'" (ANDed), "" when the Q cannot be read
    condition: str = ""

    def __init__(self, fields: tuple[str, ...], source: str, line: int, conditional: bool = False,
                 expressions: bool = False, name: str | None = None, declared_in: str = "",
                 nulls_distinct: bool = True, refs: str = "", condition: str = ""):
        self.fields = fields
        self.source = source
        self.line = line
        self.conditional = conditional
        self.expressions = expressions
        self.name = name
        self.declared_in = declared_in
        self.nulls_distinct = nulls_distinct
        self.refs = refs
        self.condition = condition

    @property
    def plain(self) -> bool:
        """Enforced for every row on plain column values."""
        return not self.conditional and not self.expressions


class ModelFact(Record):
    """A model class: its names, where it is declared, its fields and unique sets."""

    qualname: str  # "shop.models.Product"
    name: str  # "Product"
    module: str
    path: str
    line: int
    app_label: str
    abstract: bool = False
    proxy: bool = False
    managed: bool = True
    builtin: bool = False  # from Django's contrib, known without reading its source
    complete: bool = True  # False when a base could not be read (third-party): fields may be missing
    bases: list[str]  # qualnames of model bases
    concrete_parents: list[str]  # multi-table inheritance
    fields: dict[str, FieldFact]  # own and inherited
    unique_sets: list[UniqueSet]
    managers: dict[str, list[str]]  # attribute -> manager/queryset classes
    meta_lines: dict[str, int]  # "unique_together" -> line
    username_field: str | None = None  # USERNAME_FIELD (own or inherited): what create_user()'s first argument sets
    # field -> the fields (space-separated) the model's save() computes it from before the row
    # is written (``self.slug = slugify(self.name)``): rows equal on those are equal on it
    save_derived: dict[str, str]
    # fields the model's save() (or a pre_save receiver) stores case-normalised, from their own
    # value (``self.email = self.email.lower()``): rows that differ only in case collide
    case_folded: list[str]

    def __init__(self, qualname: str, name: str, module: str, path: str, line: int, app_label: str,
                 abstract: bool = False, proxy: bool = False, managed: bool = True,
                 builtin: bool = False, complete: bool = True, bases: list[str] | None = None,
                 concrete_parents: list[str] | None = None,
                 fields: dict[str, FieldFact] | None = None, unique_sets: list[UniqueSet] | None = None,
                 managers: dict[str, list[str]] | None = None, meta_lines: dict[str, int] | None = None,
                 username_field: str | None = None, save_derived: dict[str, str] | None = None,
                 case_folded: list[str] | None = None):
        self.qualname = qualname
        self.name = name
        self.module = module
        self.path = path
        self.line = line
        self.app_label = app_label
        self.abstract = abstract
        self.proxy = proxy
        self.managed = managed
        self.builtin = builtin
        self.complete = complete
        self.bases = [] if bases is None else bases
        self.concrete_parents = [] if concrete_parents is None else concrete_parents
        self.fields = {} if fields is None else fields
        self.unique_sets = [] if unique_sets is None else unique_sets
        self.managers = {} if managers is None else managers
        self.meta_lines = {} if meta_lines is None else meta_lines
        self.username_field = username_field
        self.save_derived = {} if save_derived is None else save_derived
        self.case_folded = [] if case_folded is None else case_folded

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.name}"

    @property
    def label_lower(self) -> str:
        return f"{self.app_label}.{self.name.lower()}"

    @property
    def pk_name(self) -> str:
        for f in self.fields.values():
            if f.primary_key:
                return f.name
        return "id"

    def to_json(self) -> dict:
        return as_dict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ModelFact":
        data = dict(data)
        data["fields"] = {k: FieldFact(**v) for k, v in data["fields"].items()}
        data["unique_sets"] = [
            UniqueSet(**{**u, "fields": tuple(u["fields"])}) for u in data["unique_sets"]
        ]
        return cls(**data)
