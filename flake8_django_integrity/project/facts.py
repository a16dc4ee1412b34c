"""The facts the index knows about models: plain data, so they can be cached as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Field classes Django ships, by the kind the rules care about.
RELATION_KINDS = {"ForeignKey": "fk", "OneToOneField": "o2o", "ManyToManyField": "m2m"}
STRING_FIELDS = frozenset(
    {"CharField", "SlugField", "EmailField", "URLField", "TextField", "CICharField",
     "CIEmailField", "CITextField", "FilePathField", "GenericIPAddressField"}
)
AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
NO_COLUMN_FIELDS = frozenset({"ManyToManyField", "GenericRelation", "GenericForeignKey"})


@dataclass
class FieldFact:
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

    @property
    def has_column(self) -> bool:
        return self.kind not in NO_COLUMN_FIELDS and self.relation != "m2m"

    @property
    def attname(self) -> str:
        return f"{self.name}_id" if self.relation in ("fk", "o2o") else self.name


@dataclass
class UniqueSet:
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

    @property
    def plain(self) -> bool:
        """Enforced for every row on plain column values."""
        return not self.conditional and not self.expressions


@dataclass
class ModelFact:
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
    bases: list[str] = field(default_factory=list)  # qualnames of model bases
    concrete_parents: list[str] = field(default_factory=list)  # multi-table inheritance
    fields: dict[str, FieldFact] = field(default_factory=dict)  # own and inherited
    unique_sets: list[UniqueSet] = field(default_factory=list)
    managers: dict[str, list[str]] = field(default_factory=dict)  # attribute -> manager/queryset classes
    meta_lines: dict[str, int] = field(default_factory=dict)  # "unique_together" -> line
    username_field: str | None = None  # USERNAME_FIELD (own or inherited): what create_user()'s first argument sets
    # field -> the fields (space-separated) the model's save() computes it from before the row
    # is written (``self.slug = slugify(self.name)``): rows equal on those are equal on it
    save_derived: dict[str, str] = field(default_factory=dict)

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
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ModelFact":
        data = dict(data)
        data["fields"] = {k: FieldFact(**v) for k, v in data["fields"].items()}
        data["unique_sets"] = [
            UniqueSet(**{**u, "fields": tuple(u["fields"])}) for u in data["unique_sets"]
        ]
        return cls(**data)
