"""The project model index: the one component that knows the project's models.

Rules ask it which model a name refers to, what a model's fields, unique sets and foreign
keys are, and which model a custom manager serves.  It reads only what that needs: the
project's models modules (``models.py`` and ``models/`` packages), the modules their bases
and fields come from, ``apps.py`` for app labels and settings for ``AUTH_USER_MODEL``.
Every file is parsed at most once per process; nothing is imported or executed.
"""

from __future__ import annotations

import ast
import os
import stat

from . import contrib, layout, shared_trees
from .digest import hex_digest
from .files import read_source
from .gc_pause import collector_paused
from .derived import derivations, receiver_instance, save_derivations
from .facts import AUTO_FIELDS, NO_COLUMN_FIELDS, RELATION_KINDS, FieldFact, ModelFact, UniqueSet
from .memo import RECENT_ROOTS, RecentMemo
from .records import Record, as_dict
from .stored import is_dotted, is_identifier, is_position, is_str_list, require
from .stored import checked as _checked
from .stored import fact as _fact
from .stored import facts_from_rows, record_row
from .summary import (
    LABEL_REF, USER_REF, ClassSummary, ModuleSummary, StoredModuleSummary, assignment_ref,
    dotted_name, is_false, is_true, summarize, summary_to_json,
)

USER_MODEL = "<auth user model>"
ABSTRACT_BASE_USER = "django.contrib.auth.base_user.AbstractBaseUser"
UNKNOWN_SETTINGS = "?"  # in atomic_requests: no settings module, ATOMIC_REQUESTS may be on  # what get_user_model() and settings.AUTH_USER_MODEL resolve to
_MAX_DEPTH = 40  # how far a chain of re-exports or base classes is followed
_FIELD_BASE_QUALNAMES = frozenset(
    {"django.db.models.Field", "django.db.models.fields.Field", "django.db.models.fields.related.RelatedField"}
)
# An ImageField's options naming the fields it fills with the image's size when it is written.
DIMENSION_FIELDS = ("width_field", "height_field")
_THIRD_PARTY_RELATIONS = {"ParentalKey": "fk", "ParentalManyToManyField": "m2m", "TreeForeignKey": "fk",
                          "TreeOneToOneField": "o2o", "TreeManyToManyField": "m2m"}


class IndexOptions(Record):
    """The options that change what the index finds (part of its cache key)."""

    extra_model_bases: tuple[str, ...] = ()  # qualnames or bare class names treated as models.Model
    extra_managers: tuple[str, ...] = ()  # manager attribute names besides objects/_default_manager
    exclude: tuple[str, ...] = ()  # flake8's exclude + extend-exclude: paths never read

    def __init__(self, extra_model_bases: tuple[str, ...] = (), extra_managers: tuple[str, ...] = (),
                 exclude: tuple[str, ...] = ()):
        self.extra_model_bases = extra_model_bases
        self.extra_managers = extra_managers
        self.exclude = exclude

    def excluded(self, path: str) -> bool:
        match = layout.exclude_matcher(self.exclude)
        return match is not None and match(path)


class _ClassInfo(Record):
    """What the index knows of a class: its kind, where it is declared, its bases."""

    kind: str  # "model", "field", "manager", "other", "external", "root"
    qualname: str
    summary: ModuleSummary | None = None
    cls: ClassSummary | None = None
    bases: list[str]  # resolved qualnames

    def __init__(self, kind: str, qualname: str, summary: ModuleSummary | None = None,
                 cls: ClassSummary | None = None, bases: list[str] | None = None):
        self.kind = kind
        self.qualname = qualname
        self.summary = summary
        self.cls = cls
        self.bases = [] if bases is None else bases


def parse_file(path: str) -> ast.Module | None:
    """A file's syntax tree; None when it cannot be read (project/files.py) or does not parse."""
    source = read_source(path)
    if source is None:
        return None
    tree = parse_source(source, path)
    shared_trees.offer(path, source, tree)  # the function index's, if it will read this file
    return tree


def parse_source(source: str, path: str) -> ast.Module | None:
    try:
        return ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def is_regular_file(path: str) -> bool:
    """A regular file (through links): a FIFO or a device named ``models.py`` is no source."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def source_digest(source: str) -> str:
    """What identifies a module's text for the facts read from it: the same text read from
    disk (project/files.py) or handed over by flake8 (which reads with universal newlines)
    gives the same digest."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    return hex_digest(text.encode("utf-8", "surrogatepass"), 16)


def unreadable_reason(path: str) -> str:
    """Why a project file gave no syntax tree: for a user's message."""
    source = read_source(path)
    if source is None:
        return "cannot be read (not a regular file, over the size limit, or not decodable)"
    try:
        ast.parse(source, filename=path)
    except SyntaxError as exc:
        return f"does not parse (line {exc.lineno}: {exc.msg})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"does not parse ({type(exc).__name__})"
    return "could not be read when the facts were built"


class ProjectIndex:
    """Models, their unique sets and relations, for one project root."""

    def __init__(self, root: str, options: IndexOptions | None = None):
        self.root = root
        self.options = options or IndexOptions()
        self.module_paths: dict[str, str] = {}  # dotted module name -> path
        self.path_modules: dict[str, str] = {}
        self.source_roots: list[str] = []
        self.models: dict[str, ModelFact] = {}
        self.by_label: dict[str, str] = {}  # "app.model" (lower) -> qualname
        self.by_name: dict[str, list[str]] = {}  # "Model" -> qualnames
        self.manager_models: dict[str, list[str]] = {}  # manager/queryset class -> models
        self.reverse: dict[str, dict[str, tuple[str, str, str]]] = {}  # model -> accessor -> (model, field, kind)
        self.user_model_label = "auth.user"
        self._user_model_read = False  # a settings module named AUTH_USER_MODEL
        self.atomic_requests: list[str] = []  # database aliases that set ATOMIC_REQUESTS (or may)
        self.app_labels: dict[str, str] = {}  # app module -> label
        self.files_read = 0
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._class_info: dict[str, _ClassInfo] = {}
        self._in_progress: set[str] = set()
        self._model_classes: dict[str, _ClassInfo] = {}
        self.field_classes: dict[str, dict] = {}  # field class -> field_options() (plain data)
        self._inheritors: dict[str, list[str]] | None = None  # class -> concrete models inheriting it
        # what the facts were read from, for the on-disk cache's invalidation (project/cache.py)
        self.input_files: set[str] = set()  # files whose content the facts depend on
        self.summary_store = None  # cache.FileStore of module summaries read after the build
        # names the project's own ForeignKey / OneToOneField subclasses are written under
        # (``ShopFK``, an alias it is re-exported as): rules skip files by words, and a file
        # that declares ``shop = ShopFK(...)`` names none of Django's (rules.Rule)
        self.relation_field_names: frozenset[str] = frozenset()
        self.input_dirs: set[str] = set()  # directories whose .py files and packages name the modules
        # the text each parsed module's facts were read from (source_digest), by path: the
        # linted file's own text, when it differs, stands for its module (overlay)
        self.source_digests: dict[str, str] = {}
        # the models, settings and apps.py files of the project that gave no syntax tree: their
        # facts are missing (the checker says so: DJI000)
        self.unparsed: list[str] = []
        self.overlay_of: ProjectIndex | None = None  # the index an overlay was made from
        # model -> what the pre_save receivers connected for it compute on its row
        # ({"derived": {field: sources}, "folded": [field]}: project/derived.py)
        self.receiver_facts: dict[str, dict] = {}
        # during build() only (None after): the trees of the modules read that mention pre_save
        self._pre_save_trees: dict[str, ast.Module] | None = None

    # ------------------------------------------------------------------ building
    def build(self) -> "ProjectIndex":
        self._pre_save_trees = {}
        models_paths = []
        settings_paths = []
        apps_paths = []
        signal_paths = []
        roots = set()
        for path in layout.iter_python_files(self.root, self.input_dirs, self.options.exclude):
            name, is_package = layout.module_name(path, self.root)
            if not name:
                continue
            self.module_paths.setdefault(name, path)
            self.path_modules[path] = name
            top = layout.outermost_package(os.path.dirname(path))
            roots.add(os.path.dirname(top) if top else os.path.dirname(path))
            base = os.path.basename(path)
            rel = os.path.relpath(path, self.root)
            if layout.is_migration_path(rel):
                continue
            if layout.is_models_path(rel):
                models_paths.append(path)
            elif base == "apps.py":
                apps_paths.append(path)
            elif base in RECEIVER_MODULES:
                signal_paths.append(path)
            elif base.startswith("settings") or "settings" in path.split(os.sep)[-2:-1]:
                settings_paths.append(path)
        self.source_roots = sorted(roots)
        self.input_files.update(models_paths, apps_paths, settings_paths, signal_paths)
        settings_paths = [p for p in settings_paths if not self._reads_django_settings(p)]
        self._read_app_labels(apps_paths)
        self._read_user_model(settings_paths)
        self._read_atomic_requests(settings_paths)
        for fact in contrib.builtin_models():
            self._add_model(fact)
        candidates = []
        for path in models_paths:
            summary = self.summary(self.path_modules[path])
            if summary is None:
                self._unparsed(path)
                continue
            for cls in summary.classes.values():
                candidates.append(f"{summary.name}.{cls.name}")
        for qualname in candidates:
            info = self.class_info(qualname)
            if info.kind == "model":
                self._model_classes[qualname] = info
        for qualname in self._model_classes:  # the project's own source beats built-in facts
            if qualname in self.models and self.models[qualname].builtin:
                del self.models[qualname]
        for qualname in sorted(self._model_classes):
            self._model_fact(qualname)
        self._read_pre_save_receivers(models_paths + signal_paths)
        if not self._user_model_read:
            self._own_user_model()
        self._link_relations()
        self.relation_field_names = self._relation_field_names()
        return self

    def _own_user_model(self) -> None:
        """No settings module names ``AUTH_USER_MODEL`` (a reusable app or a product whose
        users write the settings), yet the project ships one concrete user model (a model
        built on ``AbstractBaseUser``): that model is the one ``get_user_model()`` returns
        where the project runs, not ``auth.User``.  Several (or none): ``auth.User``."""
        def is_user(fact, depth=0):
            if depth > _MAX_DEPTH:
                return False
            return any(b == ABSTRACT_BASE_USER or (
                b in self.models and is_user(self.models[b], depth + 1)) for b in fact.bases)
        own = [f for f in self.models.values()
               if not f.builtin and not f.abstract and not f.proxy and is_user(f)]
        if len(own) == 1:
            self.user_model_label = own[0].label_lower

    # ------------------------------------------------------------------ one module's text
    def read_from(self, path: str, source: str) -> bool:
        """Were this index's facts about the module at ``path`` read from ``source``?  False
        for a text the index never read (an unsaved buffer, a file saved since the facts were
        built or cached, a file new to the project)."""
        return self.source_digests.get(path) == source_digest(source)

    def declares_models(self, path: str) -> bool:
        """Does the module at ``path`` hold model classes, as the index read it, or is it a
        models module (``models.py``, ``models/``) that may now?"""
        if self.root and layout.is_models_path(os.path.relpath(path, self.root)):
            return True
        module = self.path_modules.get(path)
        return bool(module) and any(f.module == module for f in self.models.values())

    def overlay(self, path: str, tree: ast.Module, source: str) -> "ProjectIndex":
        """This index with the module at ``path`` read from ``tree`` (its text ``source``, as
        flake8 handed it over) instead of the copy the facts were built from: that module's
        summary, classes, models, fields and unique sets come from the tree; every other
        module's facts stay this index's (the models of other modules that inherit from one of
        its classes keep what they inherited).  This index is left as it was."""
        module = self.path_modules.get(path)
        if not module:
            module, is_package = layout.module_name(path, self.root or os.path.dirname(path))
        else:
            is_package = os.path.basename(path) == "__init__.py"
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.overlay_of = self
        new.path_modules = {**self.path_modules, path: module}
        new.module_paths = {**self.module_paths, module: path}
        new.input_files = set(self.input_files)
        new.source_digests = {**self.source_digests, path: source_digest(source)}
        new.unparsed = [p for p in self.unparsed if p != path]
        prefix = module + "."
        mine = {q for q, f in self.models.items() if f.module == module}
        new._summaries = {**self._summaries, module: summarize(tree, module, is_package)}
        new._class_info = {q: i for q, i in self._class_info.items()
                           if not q.startswith(prefix) and not (i.summary is not None and i.summary.name == module)}
        new._model_classes = {q: i for q, i in self._model_classes.items() if q not in mine and not q.startswith(prefix)}
        new.field_classes = {q: v for q, v in self.field_classes.items() if not q.startswith(prefix)}
        new.models = {q: f for q, f in self.models.items() if q not in mine}
        new._in_progress = set()
        new._inheritors = None
        found = []
        for name in new._summaries[module].classes:
            qualname = f"{module}.{name}"
            info = new.class_info(qualname)
            if info.kind == "model" and info.summary is not None and info.summary.name == module:
                new._model_classes[qualname] = info
                found.append(qualname)
        for qualname in found:
            if qualname in new.models and new.models[qualname].builtin:
                del new.models[qualname]
        for qualname in sorted(found):
            new._model_fact(qualname)
            if qualname in new.models:
                new._apply_receivers(new.models[qualname])
        new.by_label, new.by_name = {}, {}
        models, new.models = new.models, {}
        for fact in models.values():
            new._add_model(fact)
        # the other models' manager and reverse-accessor entries stay; this module's are redone
        new.manager_models = {k: kept for k, v in self.manager_models.items()
                              if (kept := [q for q in v if q not in mine])}
        new.reverse = {target: kept for target, accessors in self.reverse.items()
                       if (kept := {a: v for a, v in accessors.items() if v[0] not in mine})}
        new._link_relations([new.models[q] for q in found if q in new.models])
        new.relation_field_names = new._relation_field_names()
        return new

    # ------------------------------------------------------------------ pre_save receivers
    def _read_pre_save_receivers(self, paths: list[str]) -> None:
        """What the ``pre_save`` receivers of the models modules and of the modules named for
        receivers (``signals.py``, ...) compute on the row of the model they are connected for
        (project/derived.py): kept by model (``receiver_facts``) and added to its facts."""
        trees, self._pre_save_trees = self._pre_save_trees or {}, None
        for path in paths:
            module = self.path_modules.get(path)
            if not module:
                continue
            if path in trees:  # a models module: parsed once, by summary()
                tree = trees.pop(path)
            elif path in self.source_digests:
                continue  # parsed by summary(), without a word of pre_save
            else:
                tree = self._parse_mentioning(path, "pre_save")
            if tree is None:
                continue
            summary = self._summaries.get(module) or summarize(
                tree, module, os.path.basename(path) == "__init__.py")
            functions = {s.name: s for s in tree.body
                         if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
            for sender, func in _pre_save_connections(tree, functions, summary, self):
                qual = self._sender_model(sender, summary)
                fact = self.models.get(qual) if qual else None
                me = receiver_instance(func)
                if fact is None or fact.builtin or me is None:
                    continue
                info = self._model_classes.get(qual)
                cls = info.cls.node if info is not None and info.cls is not None else None
                found = derivations(func, me, fact, cls)
                if not found.derived and not found.folded:
                    continue
                entry = self.receiver_facts.setdefault(qual, {"derived": {}, "folded": []})
                entry["derived"].update(found.derived)
                entry["folded"].extend(f for f in sorted(found.folded) if f not in entry["folded"])
        for qual in self.receiver_facts:
            if qual in self.models:
                self._apply_receivers(self.models[qual])

    def _apply_receivers(self, fact: ModelFact) -> None:
        """Add what the receivers connected for ``fact``'s model compute to its facts (they
        run after its save() override's own statements: theirs win)."""
        entry = self.receiver_facts.get(fact.qualname)
        if not entry:
            return
        fact.save_derived = {**fact.save_derived, **entry["derived"]}
        fact.case_folded = [*fact.case_folded, *(f for f in entry["folded"] if f not in fact.case_folded)]

    def _sender_model(self, sender: ast.expr, summary: ModuleSummary) -> str | None:
        """The model a receiver's ``sender=`` names: a class, or an ``"app.Model"`` label."""
        if isinstance(sender, ast.Constant) and isinstance(sender.value, str) and "." in sender.value:
            return self.by_label.get(_lower_label(sender.value))
        dotted = dotted_name(sender)
        if not dotted:
            return None
        return self.resolve_dotted(summary, dotted, deep=True)

    def _relation_field_names(self) -> frozenset[str]:
        """The names of the relation field classes the build met, and of their aliases in the
        modules it read.  Read from what ``to_json`` keeps (class bases, import tables), so a
        fresh and a cached index give the same words; nothing is parsed."""
        relations: set[str] = set()
        changed = True
        for _ in range(_MAX_DEPTH):  # a subclass of a subclass: until nothing is added
            if not changed:
                break
            changed = False
            for qual, info in self._class_info.items():
                if qual not in relations and info.kind == "field" and any(
                        b in relations or _is_relation_class(b) for b in info.bases):
                    relations.add(qual)
                    changed = True
        names = {q.rpartition(".")[2] for q in relations}
        changed = bool(relations)
        for _ in range(_MAX_DEPTH):  # re-exports: ``from .base import ShopFK as Ref``
            if not changed:
                break
            changed = False
            for summary in self._summaries.values():
                if summary is None:
                    continue
                for local, target in _aliases(summary):
                    alias = f"{summary.name}.{local}"
                    if target in relations and alias not in relations:
                        relations.add(alias)
                        names.add(local)
                        changed = True
        names.discard("")
        return frozenset(names)

    def _parse_mentioning(self, path: str, word: str) -> ast.Module | None:
        """The tree of a file whose text mentions ``word`` (others are not parsed)."""
        source = read_source(path)
        if source is None:
            self._unparsed(path)
            return None
        if word not in source:
            return None
        tree = parse_source(source, path)
        shared_trees.offer(path, source, tree)
        if tree is not None:
            self.files_read += 1
        else:
            self._unparsed(path)
        return tree

    def _reads_django_settings(self, path: str) -> bool:
        """A ``settings.py`` that reads ``django.conf.settings`` (an app's defaults over its
        users' settings: ``getattr(settings, "APP_TIMEOUT", 60)``) is no settings module: the
        settings are its users', so it says nothing about ATOMIC_REQUESTS or AUTH_USER_MODEL.
        A settings module never imports ``django.conf.settings`` (it is what that object
        reads)."""
        tree = self._parse_mentioning(path, "django.conf")
        if tree is None:
            return False
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.conf" and any(
                    alias.name == "settings" for alias in node.names):
                return True
            if isinstance(node, ast.Attribute) and node.attr == "settings" and isinstance(
                    node.value, ast.Attribute) and node.value.attr == "conf" and isinstance(
                    node.value.value, ast.Name) and node.value.value.id == "django":
                return True
        return False

    def _unparsed(self, path: str) -> None:
        """A models, settings or apps file that gave no tree: a loss to report (DJI000).  A
        path that is no regular file (a FIFO, a device) is no source file: refused silently."""
        if path not in self.unparsed and is_regular_file(path):
            self.unparsed.append(path)

    def _read_app_labels(self, paths):
        for path in paths:
            tree = self._parse_mentioning(path, "AppConfig")
            if tree is None:
                continue
            for node in tree.body:
                if not isinstance(node, ast.ClassDef):
                    continue
                values = {}
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                        target = stmt.targets[0]
                        if isinstance(target, ast.Name) and isinstance(stmt.value, ast.Constant):
                            values[target.id] = stmt.value.value
                name, label = values.get("name"), values.get("label")
                if isinstance(name, str) and isinstance(label, str):
                    self.app_labels[name] = label

    def _read_user_model(self, paths):
        for path in sorted(paths):
            tree = self._parse_mentioning(path, "AUTH_USER_MODEL")
            if tree is None:
                continue
            for node in tree.body:
                if (
                    isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "AUTH_USER_MODEL" for t in node.targets)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                    and "." in node.value.value
                ):
                    self.user_model_label = node.value.value.lower()
                    self._user_model_read = True
                    return

    def _read_atomic_requests(self, paths):
        """The database aliases whose settings say ``ATOMIC_REQUESTS``: a literal True, or a
        value read at run time (an environment variable) that may be true.  A literal False
        does not count.  A project without a settings module (a reusable app, a library) runs
        under its users' settings: ``["?"]``, they may set it."""
        if not paths:
            self.atomic_requests = [UNKNOWN_SETTINGS]
            return
        aliases = set()
        for path in sorted(paths):
            tree = self._parse_mentioning(path, "ATOMIC_REQUESTS")
            if tree is not None:
                aliases.update(atomic_request_aliases(tree))
        self.atomic_requests = sorted(aliases)

    # ------------------------------------------------------------------ modules
    def find_module(self, name: str) -> str | None:
        """The file of a project module, or None for a module outside the project."""
        if name in self.module_paths or not name:
            return self.module_paths.get(name)
        top = name.partition(".")[0]
        if not any(os.path.isdir(os.path.join(r, top)) for r in self.source_roots):
            self.module_paths[name] = None  # type: ignore[assignment]  # not the project's
            return None
        found = self._find_in_source_roots(name.split("."))  # namespace packages and odd layouts
        if found and os.path.abspath(found).startswith(self.root + os.sep) and found.endswith(".py"):
            self.module_paths[name] = found
            return found
        self.module_paths[name] = None  # type: ignore[assignment]
        return None

    def _find_in_source_roots(self, parts: list[str]) -> str | None:
        """A module the walk of the tree did not name (a namespace package, an unusual
        layout), found as Python's path finder would find it over the project's source roots
        (never sys.path), by path operations alone: nothing is imported, no ``find_spec`` is
        asked (it would run a package's ``__init__.py``).

        Per name, in each search folder in order: a package (folder with ``__init__.py``)
        wins, then a module ``name.py``; folders without ``__init__.py`` are the portions of a
        namespace package, searched when no folder holds a package or module of that name.
        Folders reached through a symbolic link and paths flake8 excludes are not searched
        (the walk does not enter them either)."""
        search = self.source_roots
        found = None
        for i, part in enumerate(parts):
            if not part.isidentifier() or (i and found is not None and not search):
                return None  # a module is not a package: it has no submodules
            found, portions = None, []
            for folder in search:
                candidate = os.path.join(folder, part)
                if self.options.excluded(candidate):
                    continue
                if layout.is_real_dir(candidate):
                    init = os.path.join(candidate, "__init__.py")
                    if os.path.isfile(init):
                        found, search = init, [candidate]
                        break
                    portions.append(candidate)
                if os.path.isfile(candidate + ".py") and not self.options.excluded(candidate + ".py"):
                    found, search = candidate + ".py", []
                    break
            if found is None:
                if not portions:
                    return None
                search = portions  # a namespace package: no file of its own
        return found

    def summary(self, module: str) -> ModuleSummary | None:
        """The summary of a project module, parsed once."""
        if module in self._summaries:
            return self._summaries[module]
        self._summaries[module] = None
        path = self.find_module(module)
        if path is None:
            return None
        store = self.summary_store
        if store is not None:
            return self._stored_summary(store, module, path)
        self.input_files.add(path)
        return self._parse_summary(module, path)

    def _parse_summary(self, module: str, path: str) -> ModuleSummary | None:
        source = read_source(path)
        tree = parse_source(source, path) if source is not None else None
        if tree is None:
            return None
        shared_trees.offer(path, source, tree)  # the function index's, if it will read this file
        self.files_read += 1
        self.source_digests[path] = source_digest(source)
        if self._pre_save_trees is not None and "pre_save" in source:
            self._pre_save_trees[path] = tree  # its receivers are read after the models (build())
        summary = summarize(tree, module, os.path.basename(path) == "__init__.py")
        self._summaries[module] = summary
        return summary

    def _stored_summary(self, store, module: str, path: str) -> ModuleSummary | None:
        """A module's summary from the per-file store when the file is unchanged, else parsed
        and stored (the same summary either way: it depends on the file's content alone)."""
        data = store.get(module, path)
        if data is not None:
            try:
                summary = StoredModuleSummary.from_json(data)
            except (KeyError, TypeError, ValueError):
                summary = None
            if summary is not None and summary.name == module and summary.path == path:
                self._summaries[module] = summary
                return summary
        from .cache import fingerprint

        recorded = fingerprint(path)
        summary = self._parse_summary(module, path)
        if summary is None:
            return None
        store.put(module, path, recorded, summary_to_json(summary, path, _is_user_model_expr))
        return summary

    def use_summary(self, summary: ModuleSummary) -> None:
        """Let the linted file's own summary stand for its module (stdin, unsaved edits)."""
        if summary.name and summary.name not in self._summaries:
            self._summaries[summary.name] = summary

    # ------------------------------------------------------------------ names
    def canonical(self, qualname: str, depth: int = 0, deep: bool = False) -> str:
        """Follow re-exports: ``shop.models.Product`` -> ``shop.models.product.Product``.

        Re-exports are followed through packages' ``__init__`` and models modules; ``deep``
        (the index's own build, chasing bases and field classes) follows them through any
        module of the project.  A linted view is not worth parsing a service module for, just
        to learn that a name it defines is not a model.
        """
        if depth > _MAX_DEPTH or not qualname:
            return qualname
        if qualname in contrib.REEXPORTS:
            return contrib.REEXPORTS[qualname]
        module, _, attr = qualname.rpartition(".")
        while module:
            if self.find_module(module) is not None:
                break
            module, _, head = module.rpartition(".")
            attr = f"{head}.{attr}"
        if not module:
            return qualname
        summary = self.summary(module) if deep else self._reexport_summary(module)
        if summary is None:
            return qualname
        head, _, rest = attr.partition(".")
        target = self._lookup(summary, head, depth, deep)
        if target is None:
            target = self._model_below(summary, head)
        if target is None:
            return qualname
        return f"{target}.{rest}" if rest else target

    def _model_below(self, summary: ModuleSummary, name: str) -> str | None:
        """A package that names no ``name`` statically but fills its namespace at import
        (``import_submodules(globals(), ...)``, a loop of ``importlib`` calls): the one model
        called ``name`` in its submodules, if exactly one is (never a guess between two)."""
        if not summary.is_package:
            return None
        prefix = f"{summary.name}."
        found = [q for q in self.by_name.get(name, ()) if q.startswith(prefix)]
        return found[0] if len(found) == 1 else None

    def _reexport_summary(self, module: str) -> ModuleSummary | None:
        path = self.find_module(module)
        if path is None:
            return None
        if os.path.basename(path) == "__init__.py" or layout.is_models_path(path):
            return self.summary(module)
        return None

    def _lookup(self, summary: ModuleSummary, name: str, depth: int, deep: bool = False) -> str | None:
        if name in summary.classes:
            return f"{summary.name}.{name}"
        if name in summary.imports:
            return self.canonical(summary.imports[name], depth + 1, deep)
        ref = assignment_ref(summary, name, _is_user_model_expr)
        if ref is not None:
            if ref == USER_REF:
                return USER_MODEL
            if ref.startswith(LABEL_REF):  # Model = apps.get_model("app", "Model")
                found = self.by_label.get(_lower_label(ref[len(LABEL_REF):]))
                return found or f"{summary.name}.{name}"
            if ref:
                return self.resolve_dotted(summary, ref, depth + 1, deep)
            return f"{summary.name}.{name}"
        for star in summary.star_imports:
            star_summary = self.summary(star) if deep else self._reexport_summary(star)
            if star_summary is not None and depth < _MAX_DEPTH:
                found = self._lookup(star_summary, name, depth + 1, deep)
                if found:
                    return found
        if "django.db.models" in summary.star_imports and name[:1].isupper():
            return f"django.db.models.{name}"  # import * of django.db.models: Model, CASCADE
        sub = f"{summary.name}.{name}" if summary.is_package else None
        if sub and self.find_module(sub):
            return sub
        return None

    def resolve_dotted(self, summary: ModuleSummary, dotted: str, depth: int = 0,
                       deep: bool = False) -> str | None:
        """The qualified name a dotted expression of ``summary``'s module refers to."""
        head, _, rest = dotted.partition(".")
        if head == "settings" and rest == "AUTH_USER_MODEL":
            return USER_MODEL
        target = self._lookup(summary, head, depth, deep)
        if target is None:
            return None
        if not rest:
            return target
        if target == USER_MODEL:
            return None
        return self.canonical(f"{target}.{rest}", depth + 1, deep)

    # ------------------------------------------------------------------ classes
    def class_info(self, qualname: str, depth: int = 0) -> _ClassInfo:
        qualname = self.canonical(qualname, deep=True)
        cached = self._class_info.get(qualname)
        if cached is not None:
            return cached
        if qualname in contrib.MODEL_BASE_QUALNAMES or self._is_extra_model_base(qualname):
            return self._remember(_ClassInfo("root", qualname))
        module, _, name = qualname.rpartition(".")
        summary = self.summary(module) if module else None
        cls = summary.classes.get(name) if summary else None
        if cls is None and qualname in self.models and self.models[qualname].builtin:
            return self._remember(_ClassInfo("model", qualname))
        if qualname in _FIELD_BASE_QUALNAMES or (
            qualname.startswith("django.") and qualname.rpartition(".")[2].endswith(("Field", "ForeignKey"))
        ):
            return self._remember(_ClassInfo("field", qualname))
        if qualname.startswith("django.") and qualname.rpartition(".")[2] in ("Manager", "BaseManager", "QuerySet"):
            return self._remember(_ClassInfo("manager", qualname))
        if cls is None or qualname in self._in_progress or depth > _MAX_DEPTH:
            return _ClassInfo("external", qualname)  # not remembered: may be mid-cycle
        self._in_progress.add(qualname)
        try:
            bases = [self.resolve_dotted(summary, b, deep=True) or b for b in cls.bases]
            kinds = [self.class_info(b, depth + 1).kind for b in bases]
        finally:
            self._in_progress.discard(qualname)
        if any(k in ("model", "root") for k in kinds):
            kind = "model"
        elif "field" in kinds:
            kind = "field"
        elif "manager" in kinds or name.endswith(("Manager", "QuerySet")):
            kind = "manager"
        elif "external" in kinds and self._is_models_module(module) and self._declares_fields(cls, summary):
            kind = "model"  # a third-party model base (treebeard, modelcluster, polymorphic, ...)
        else:
            kind = "other"
        return self._remember(_ClassInfo(kind, qualname, summary, cls, bases))

    def _is_models_module(self, module: str) -> bool:
        path = self.find_module(module)
        return bool(path) and layout.is_models_path(os.path.relpath(path, self.root))

    def _declares_fields(self, cls: ClassSummary, summary: ModuleSummary) -> bool:
        """Does a class body declare Django model fields (``x = models.CharField(...)``)?"""
        for stmt in cls.node.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                name = dotted_name(stmt.value.func) or ""
                target = self.resolve_dotted(summary, name, deep=True) or name
                if target.startswith("django.db.models.") or target.endswith(
                    ("ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey")
                ):
                    return True
        return False

    def _remember(self, info: _ClassInfo) -> _ClassInfo:
        self._class_info[info.qualname] = info
        return info

    def _is_extra_model_base(self, qualname: str) -> bool:
        extra = self.options.extra_model_bases
        return bool(extra) and (qualname in extra or qualname.rpartition(".")[2] in extra)

    def field_kind(self, qualname: str) -> str | None:
        """The Django field class a field class (by qualified name) is or derives from:
        "CharField" for a project's ``CharField`` subclass; its own name when the chain
        leaves the project; None when it is not a field."""
        return self._field_kind(self.canonical(qualname))

    def _field_kind(self, qualname: str, depth: int = 0) -> str | None:
        """The Django field class a field class is or derives from ("CharField")."""
        if depth > _MAX_DEPTH:
            return None
        if qualname.startswith("django."):
            return qualname.rpartition(".")[2]
        info = self.class_info(qualname)
        if info.kind == "field" and info.bases:
            for base in info.bases:
                kind = self._field_kind(base, depth + 1)
                if kind and kind not in ("Field", "RelatedField"):
                    return kind
            return qualname.rpartition(".")[2]
        if info.kind == "external":
            return qualname.rpartition(".")[2]
        return None

    def field_options(self, qualname: str) -> dict:
        """What a field class's ``__init__`` chain does to the options the rules read, as
        plain data: ``{"steps": [[option, mode, value], ...], "end": "django" | "unknown"}``.

        ``mode`` is ``"set"`` (the class always passes that value: ``kwargs["null"] = True``,
        ``super().__init__(null=True, **kwargs)``), ``"default"`` (the value unless the
        caller gives one: ``kwargs.setdefault("null", True)``, a ``null=True`` parameter
        passed on), ``"drop"`` (taken out before the base sees it) or ``"unknown"`` (changed
        in a way not read; option ``"*"`` stands for all of them).  ``value`` is True,
        False, or None for a value only known at run time.  ``end`` says whether the chain
        ends in Django's own classes (an option nobody set is Django's default) or in a class
        the index cannot read (an option nobody set is unknown)."""
        qualname = self.canonical(qualname)
        found = self.field_classes.get(qualname)
        if found is None:
            self.field_classes[qualname] = {"steps": [], "end": "unknown"}  # against cycles
            try:
                found = self._read_field_options(qualname, 0)
            except RecursionError:
                found = {"steps": [], "end": "unknown"}
            self.field_classes[qualname] = found
        return found

    def _read_field_options(self, qualname: str, depth: int) -> dict:
        if qualname.startswith("django."):
            forced = _DJANGO_FORCED.get(qualname.rpartition(".")[2], {})
            return {"steps": [[k, "set", v] for k, v in forced.items()], "end": "django"}
        info = self.class_info(qualname)
        if info.kind != "field" or info.cls is None or depth > _MAX_DEPTH:
            return {"steps": [], "end": "unknown"}
        before, after = _init_steps(info.cls.node)
        steps = list(before)
        end = "unknown"
        field_base = None
        for base in info.bases:
            base_info = self.class_info(base)
            if base_info.kind == "field" or base.startswith("django."):
                field_base = field_base or base
            elif base_info.kind == "other" and base_info.cls is not None:
                mixin_before, mixin_after = _init_steps(base_info.cls.node)  # a mixin's __init__ runs first
                steps.extend(mixin_before)
                after = mixin_after + after
            else:
                steps.append(["*", "unknown", None])  # a base we cannot read
        if field_base is not None:
            base_options = self.field_options(field_base)
            steps.extend(base_options["steps"])
            end = base_options["end"]
        steps.extend(after)
        return {"steps": steps, "end": end}

    def effective_options(self, qualname: str | None, explicit: dict) -> dict:
        """The options a field gets: ``explicit`` (the call's own, None for a value only known
        at run time) passed through the class's ``__init__`` chain.  Each of FIELD_OPTIONS maps
        to True, False or None (unknown)."""
        values = dict(explicit)
        if qualname is None:
            spec = {"steps": [], "end": "django"}
        else:
            spec = self.field_options(qualname)
        for option, mode, value in spec["steps"]:
            for name in (ALL_OPTIONS if option == "*" else (option,)):
                if mode == "set":
                    values[name] = value
                elif mode == "default":
                    values.setdefault(name, value)
                elif mode == "drop":
                    values.pop(name, None)
                else:
                    values[name] = None
        unset = False if spec["end"] == "django" else None
        return {name: values.get(name, unset) for name in ALL_OPTIONS}

    # ------------------------------------------------------------------ model facts
    def _add_model(self, fact: ModelFact) -> None:
        self.models[fact.qualname] = fact
        if not fact.abstract:
            self.by_label.setdefault(fact.label_lower, fact.qualname)
            if not fact.builtin:
                self.by_label[fact.label_lower] = fact.qualname
        self.by_name.setdefault(fact.name, []).append(fact.qualname)

    def _app_label(self, module: str) -> str:
        parts = module.split(".")
        app = ".".join(parts[: parts.index("models")]) if "models" in parts else ".".join(parts[:-1])
        app = app or module
        return self.app_labels.get(app, app.rpartition(".")[2])

    def _model_fact(self, qualname: str, depth: int = 0) -> ModelFact | None:
        if qualname in self.models:
            return self.models[qualname]
        info = self._model_classes.get(qualname) or self.class_info(qualname)
        if info.kind != "model" or info.cls is None or depth > _MAX_DEPTH:
            return None
        summary, cls = info.summary, info.cls
        meta = _read_meta(cls.node)
        fact = ModelFact(
            qualname=qualname, name=cls.name, module=summary.name,
            path=self.find_module(summary.name) or "", line=cls.node.lineno,
            app_label=meta.get("app_label") or self._app_label(summary.name),
            abstract=bool(meta.get("abstract")), proxy=bool(meta.get("proxy")),
            managed=meta.get("managed", True) is not False,
        )
        self.models[qualname] = fact  # placeholder against cycles
        inherit_meta = not meta.get("_declared") or meta.get("_inherits")
        for base in info.bases:
            base_info = self.class_info(base)
            if base_info.kind == "root":
                continue
            if base_info.kind != "model":
                if base_info.kind == "external":
                    fact.complete = False
                continue
            parent = self._model_fact(base_info.qualname, depth + 1)
            if parent is None or parent is fact:
                fact.complete = False
                continue
            fact.bases.append(parent.qualname)
            fact.complete = fact.complete and parent.complete
            for name, f in parent.fields.items():
                fact.fields.setdefault(name, f)
            for mgr, classes in parent.managers.items():
                fact.managers.setdefault(mgr, list(classes))
            fact.username_field = fact.username_field or parent.username_field
            # (a pre_save receiver connected for the parent does not run for a subclass's rows)
            by_receivers = self.receiver_facts.get(parent.qualname) or {"derived": {}, "folded": ()}
            for name, sources in parent.save_derived.items():
                if by_receivers["derived"].get(name) != sources:
                    fact.save_derived.setdefault(name, sources)
            fact.case_folded.extend(f for f in parent.case_folded
                                    if f not in fact.case_folded and f not in by_receivers["folded"])
            if parent.abstract:
                for u in parent.unique_sets:
                    if u.source in ("unique_together", "constraint") and not inherit_meta:
                        continue
                    fact.unique_sets.append(u)
            else:
                if not fact.proxy:
                    fact.concrete_parents.append(parent.qualname)
                fact.unique_sets.extend(parent.unique_sets)
        own = self._read_fields(fact, summary, cls.node)
        for f in own:
            fact.fields[f.name] = f
        _override_inherited_fields(self.models, fact, own)
        if not fact.abstract and not any(f.primary_key for f in fact.fields.values()):
            implicit = FieldFact("id", "AutoField", cls.node.lineno, cls.node.col_offset,
                                 primary_key=True, generated=True, declared_in=qualname)
            fact.fields["id"] = implicit
            own.append(implicit)
        for f in own:
            if f.primary_key:
                fact.unique_sets.append(UniqueSet((f.name,), "primary_key", f.line, declared_in=qualname))
            elif f.relation == "o2o":
                fact.unique_sets.append(UniqueSet((f.name,), "one_to_one", f.line, declared_in=qualname))
            elif f.unique is True:
                fact.unique_sets.append(UniqueSet((f.name,), "unique", f.line, declared_in=qualname))
        fact.unique_sets.extend(_meta_unique_sets(meta, qualname))
        fact.meta_lines = {k: v for k, v in meta.get("_lines", {}).items()}
        for stmt in cls.node.body:  # USERNAME_FIELD = "email"
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "USERNAME_FIELD"
                                                    for t in stmt.targets):
                value = stmt.value
                fact.username_field = value.value if isinstance(value, ast.Constant) \
                    and isinstance(value.value, str) else None
        own_save = save_derivations(cls.node, fact)
        fact.save_derived.update(own_save.derived)
        fact.case_folded.extend(f for f in sorted(own_save.folded) if f not in fact.case_folded)
        self._read_managers(fact, summary, cls.node)
        del self.models[qualname]
        self._add_model(fact)
        return fact

    def _read_fields(self, fact: ModelFact, summary: ModuleSummary, node: ast.ClassDef) -> list[FieldFact]:
        fields = []
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                name, value = stmt.targets[0].id, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
                name, value = stmt.target.id, stmt.value
            else:
                continue
            if not isinstance(value, ast.Call):
                continue
            f = self.field_from_call(value, summary, name, fact.qualname, deep=True)
            if f is not None:
                fields.append(f)
        return fields

    def field_from_call(self, call: ast.Call, summary: ModuleSummary, name: str, owner: str = "",
                        deep: bool = False) -> FieldFact | None:
        """A field declaration ``name = SomeField(...)``, read from its call; None if not a field."""
        dotted = dotted_name(call.func)
        if not dotted:
            return None
        qualname = self.resolve_dotted(summary, dotted, deep=deep) or dotted
        last = qualname.rpartition(".")[2]
        kind = self._field_kind(qualname)
        if kind is None or not (kind.endswith(("Field", "Key")) or kind in RELATION_KINDS or kind in _THIRD_PARTY_RELATIONS):
            return None
        if last.endswith("Manager") or kind.endswith("Manager"):
            return None
        kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        explicit = {name: _option_value(name, kwargs[name]) for name in FIELD_OPTIONS if name in kwargs}
        if any(kw.arg is None for kw in call.keywords):  # **options: may hold any of them
            explicit.update({name: None for name in FIELD_OPTIONS if name not in explicit})
        options = self.effective_options(None if qualname.startswith("django.") else qualname, explicit)
        if qualname.startswith("django.") and last in _DJANGO_FORCED:
            options.update(_DJANGO_FORCED[last])
        relation = RELATION_KINDS.get(kind) or _THIRD_PARTY_RELATIONS.get(kind) or _THIRD_PARTY_RELATIONS.get(last)
        if relation is None and kind not in NO_COLUMN_FIELDS:  # GenericForeignKey is no FK column
            if kind.endswith("ForeignKey"):
                relation = "fk"
            elif kind.endswith("OneToOneField"):
                relation = "o2o"
            elif kind.endswith("ManyToManyField"):
                relation = "m2m"
        f = FieldFact(
            name=name, kind=kind, line=call.lineno, col=call.col_offset,
            unique=options["unique"], primary_key=options["primary_key"] is True,
            null=options["null"], blank=options["blank"],
            has_default=options["default"], has_db_default=options["db_default"],
            auto_now=_either(options["auto_now"], options["auto_now_add"]),
            fills_on_save=options["fills_on_save"],
            constant_default=isinstance(kwargs.get("default"), ast.Constant)
            and kwargs["default"].value is not None,
            generated=kind == "GeneratedField" or kind in AUTO_FIELDS,
            relation=relation, declared_in=owner,
            fills=" ".join(v.value for k in DIMENSION_FIELDS if isinstance(
                v := kwargs.get(k), ast.Constant) and isinstance(v.value, str) and v.value.isidentifier()),
        )
        if relation:
            target = kwargs.get("to", call.args[0] if call.args else None)
            f.to = self._relation_target(target, summary, deep)
            on_delete = kwargs.get("on_delete", call.args[1] if len(call.args) > 1 else None)
            f.has_on_delete = on_delete is not None
            if on_delete is not None:
                f.on_delete = (dotted_name(on_delete) or "").rpartition(".")[2] or None
            rn = kwargs.get("related_name")
            if isinstance(rn, ast.Constant) and isinstance(rn.value, str):
                f.related_name = rn.value
            f.db_constraint = not is_false(kwargs.get("db_constraint"))
        return f

    def _relation_target(self, node: ast.expr | None, summary: ModuleSummary, deep: bool = False) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if value == "self" or "." in value:
                return value if value == "self" else _lower_label(value)
            return f"?{value}"  # a bare model name: the declaring app's, resolved later
        if _is_user_model_expr(node, summary):
            return USER_MODEL
        dotted = dotted_name(node)
        if dotted:
            target = self.resolve_dotted(summary, dotted, deep=deep)
            if target == USER_MODEL:
                return USER_MODEL
            if target:
                return f"={target}"  # a class: mapped to its label once all models are known
        return None

    def _read_managers(self, fact: ModelFact, summary: ModuleSummary, node: ast.ClassDef) -> None:
        for stmt in node.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
                continue
            classes = self._manager_classes(stmt.value, summary)
            if classes is not None:
                fact.managers[stmt.targets[0].id] = classes

    def _manager_classes(self, value: ast.expr, summary: ModuleSummary) -> list[str] | None:
        # FooManager(), FooQuerySet.as_manager(), FooManager.from_queryset(BarQuerySet)()
        if not isinstance(value, ast.Call):
            return None
        func = value.func
        names = []
        if isinstance(func, ast.Call):  # from_queryset(...)()
            inner = func
            if isinstance(inner.func, ast.Attribute) and inner.func.attr == "from_queryset":
                names.append(dotted_name(inner.func.value))
                names.extend(dotted_name(a) for a in inner.args)
        elif isinstance(func, ast.Attribute) and func.attr == "as_manager":
            names.append(dotted_name(func.value))
        else:
            names.append(dotted_name(func))
        resolved = []
        for name in names:
            if not name:
                continue
            qualname = self.resolve_dotted(summary, name, deep=True) or name
            last = qualname.rpartition(".")[2]
            info = self.class_info(qualname)
            if info.kind == "manager" or last.endswith(("Manager", "QuerySet")):
                resolved.append(qualname)
        return resolved or None

    def _link_relations(self, facts: list[ModelFact] | None = None) -> None:
        """Relation targets as labels, and the manager and reverse-accessor tables, for
        ``facts`` (default: every model)."""
        facts = list(self.models.values()) if facts is None else facts
        for fact in facts:
            for f in fact.fields.values():
                if f.to is None:
                    continue
                if f.to == USER_MODEL:
                    f.to = self.user_model_label
                elif f.to.startswith("="):
                    target = self.models.get(self.canonical(f.to[1:], deep=True))
                    f.to = target.label_lower if target else None
                elif f.to.startswith("?"):
                    owner = self.models.get(f.declared_in)
                    app = owner.app_label if owner else fact.app_label
                    f.to = f"{app}.{f.to[1:].lower()}"
        for fact in facts:
            if fact.abstract:
                continue
            quals = set(q for classes in fact.managers.values() for q in classes)
            for qual in list(quals):
                quals.update(self._querysets_of_manager(qual))
            for qual in quals:
                self.manager_models.setdefault(self.canonical(qual, deep=True), []).append(fact.qualname)
            for f in fact.fields.values():
                if not f.relation or f.to is None:
                    continue
                declaring = self.models.get(f.declared_in)
                if declaring is not None and declaring is not fact and not declaring.abstract:
                    continue  # the concrete parent's accessor, not a second one for the child
                target = fact.qualname if f.to == "self" else self.by_label.get(f.to)
                if target is None:
                    continue
                rn = f.related_name
                if rn and rn.endswith("+"):
                    continue
                if rn:
                    rn = rn.replace("%(class)s", fact.name.lower()).replace("%(app_label)s", fact.app_label)
                else:
                    rn = fact.name.lower() if f.relation == "o2o" else f"{fact.name.lower()}_set"
                self.reverse.setdefault(target, {})[rn] = (fact.qualname, f.name, f.relation)

    def _querysets_of_manager(self, qualname: str) -> list[str]:
        """Queryset classes a manager class is built from: ``class M(Manager.from_queryset(QS))``
        or a ``get_queryset()`` that returns ``QS(...)``; their methods serve the same model."""
        info = self.class_info(qualname)
        if info.cls is None or info.summary is None:
            return []
        found = []
        node = info.cls.node
        calls = [b for b in node.bases if isinstance(b, ast.Call)]
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "get_queryset":
                calls.extend(s.value for s in ast.walk(stmt)
                             if isinstance(s, ast.Return) and isinstance(s.value, ast.Call))
        for call in calls:
            if isinstance(call.func, ast.Attribute) and call.func.attr == "from_queryset":
                names = [dotted_name(a) for a in call.args]
            else:
                names = [dotted_name(call.func)]
            for name in names:
                if name:
                    target = self.resolve_dotted(info.summary, name, deep=True)
                    if target and target.rpartition(".")[2].endswith("QuerySet"):
                        found.append(target)
        return found

    # ------------------------------------------------------------------ queries
    def model(self, qualname: str | None) -> ModelFact | None:
        """The model a resolved qualified name refers to (the auth user model too)."""
        if not qualname:
            return None
        if qualname == USER_MODEL:
            return self.user_model()
        fact = self.models.get(qualname)
        if fact is None:
            fact = self.models.get(self.canonical(qualname))
        return fact

    def user_model(self) -> ModelFact | None:
        qual = self.by_label.get(self.user_model_label)
        return self.models.get(qual) if qual else None

    def model_by_label(self, label: str, app_label: str | None = None) -> ModelFact | None:
        if "." not in label:
            if app_label is None:
                return None
            label = f"{app_label}.{label}"
        qual = self.by_label.get(_lower_label(label))
        return self.models.get(qual) if qual else None

    def related_model(self, fact: ModelFact, field_name: str) -> ModelFact | None:
        f = fact.fields.get(field_name)
        if f is None or f.to is None:
            return None
        if f.to == "self":
            return fact
        return self.model_by_label(f.to)

    def concrete_inheritors(self, qualname: str) -> list[ModelFact]:
        """The concrete models of the project that inherit a class (an abstract model or a
        plain mixin), through their class chains as the index read them."""
        if self._inheritors is None:
            table: dict[str, set[str]] = {}
            for fact in list(self.models.values()):
                if fact.abstract or fact.builtin:
                    continue
                seen: set[str] = set()
                todo = [fact.qualname]
                while todo and len(seen) < 200:
                    info = self._class_info.get(todo.pop())
                    if info is None:
                        continue
                    for base in info.bases:
                        if base not in seen:
                            seen.add(base)
                            todo.append(base)
                for base in seen:
                    table.setdefault(base, set()).add(fact.qualname)
            self._inheritors = {k: sorted(v) for k, v in table.items()}
        found = [self.models[q] for q in self._inheritors.get(qualname, ()) if q in self.models]
        quals = {f.qualname for f in found}
        # a proxy or a multi-table child of one of them inherits it through that model
        return [f for f in found if not f.proxy and not quals.intersection(f.concrete_parents)]

    def models_for_manager(self, qualname: str) -> list[ModelFact]:
        quals = self.manager_models.get(self.canonical(qualname), [])
        return [self.models[q] for q in quals if q in self.models]

    def manager_names(self, fact: ModelFact) -> set[str]:
        names = {"objects", "_default_manager", "_base_manager", *fact.managers}
        names.update(self.options.extra_managers)
        return names

    # ------------------------------------------------------------------ stored form
    def inputs(self) -> list[str]:
        """The files and directories the facts were read from (for the on-disk cache)."""
        return sorted(self.input_files | self.input_dirs)

    def to_json(self) -> dict:
        """Everything a fresh index knows after ``build()``, as plain data: the facts, the
        module map, and the import table of every module read (so that names resolve
        through re-exports and bases without parsing those modules again)."""
        field_ids: dict[int, int] = {}
        fields: list[dict] = []
        set_ids: dict[int, int] = {}
        sets: list[dict] = []

        def field_ref(f: FieldFact) -> int:
            if id(f) not in field_ids:  # inherited fields are shared objects: keep them shared
                field_ids[id(f)] = len(fields)
                fields.append(record_row(f))  # a row: stored.fact_row
            return field_ids[id(f)]

        def set_ref(u: UniqueSet) -> int:
            if id(u) not in set_ids:
                set_ids[id(u)] = len(sets)
                sets.append({**as_dict(u), "fields": list(u.fields)})
            return set_ids[id(u)]

        models = {}
        for qual, fact in self.models.items():
            data = {k: v for k, v in vars(fact).items() if k not in ("fields", "unique_sets")}
            data["fields"] = {name: field_ref(f) for name, f in fact.fields.items()}
            data["unique_sets"] = [set_ref(u) for u in fact.unique_sets]
            models[qual] = data
        summaries = {
            name: summary_to_json(summary, self.module_paths.get(name) or "", _is_user_model_expr)
            for name, summary in self._summaries.items()
            if summary is not None
        }
        class_info = {
            qual: [info.kind, info.bases, info.summary.name if info.summary is not None else None]
            for qual, info in self._class_info.items()
        }
        return {
            "path_modules": self.path_modules,
            "source_roots": self.source_roots,
            "user_model_label": self.user_model_label,
            "atomic_requests": self.atomic_requests,
            "app_labels": self.app_labels,
            "fields": fields,
            "unique_sets": sets,
            "models": models,
            "by_label": self.by_label,
            "by_name": self.by_name,
            "manager_models": self.manager_models,
            "reverse": self.reverse,
            "summaries": summaries,
            "class_info": class_info,
            "field_classes": self.field_classes,
            "source_digests": self.source_digests,
            "unparsed": self.unparsed,
            "receiver_facts": self.receiver_facts,
        }

    @classmethod
    def from_json(cls, root: str, options: IndexOptions | None, data: dict) -> "ProjectIndex":
        """The index ``to_json`` stored.  Raises (TypeError, ValueError, KeyError, ...) on
        anything malformed; the cache then ignores the file."""
        index = cls(root, options)
        index.path_modules = _checked(data["path_modules"], dict, str)
        for path, name in index.path_modules.items():  # as the walk in build() fills them
            index.module_paths.setdefault(name, path)
        index.source_roots = _checked(data["source_roots"], list, str)
        index.user_model_label = _checked(data["user_model_label"], str)
        index.atomic_requests = _checked(data["atomic_requests"], list, str)
        index.app_labels = _checked(data["app_labels"], dict, str)
        fields = facts_from_rows(FieldFact, data["fields"])
        sets = [_fact(UniqueSet, {**u, "fields": tuple(_checked(u["fields"], list, str))})
                for u in _checked(data["unique_sets"], list, dict)]
        for qual, m in _checked(data["models"], dict, dict).items():
            m = dict(m)
            # (checked() has checked that the keys are strings)
            m["fields"] = {k: fields[i] for k, i in _checked(m["fields"], dict, int).items()}
            m["unique_sets"] = [sets[i] for i in _checked(m["unique_sets"], list, int)]
            m["managers"] = {k: _checked(v, list, str) for k, v in _checked(m["managers"], dict, list).items()}
            m["meta_lines"] = _checked(m["meta_lines"], dict, int)
            _checked(m["save_derived"], dict, str)
            _checked(m["case_folded"], list, str)
            _checked(m["bases"], list, str)
            _checked(m["concrete_parents"], list, str)
            index.models[_checked(qual, str)] = _fact(ModelFact, m)
        index.by_label = _checked(data["by_label"], dict, str)
        index.by_name = {k: _checked(v, list, str) for k, v in _checked(data["by_name"], dict, list).items()}
        index.manager_models = {k: _checked(v, list, str)
                                for k, v in _checked(data["manager_models"], dict, list).items()}
        index.reverse = {
            target: {accessor: tuple(_checked(v, list, str)) for accessor, v in _checked(acc, dict, list).items()}
            for target, acc in _checked(data["reverse"], dict, dict).items()
        }
        for triples in index.reverse.values():
            if any(len(t) != 3 for t in triples.values()):
                raise ValueError("malformed reverse accessor")
        for name, s in _checked(data["summaries"], dict, dict).items():
            summary = StoredModuleSummary.from_json(s)
            # the module's file comes from this index's walk, never from the stored text
            require(summary.name == name and summary.path == (index.module_paths.get(name) or ""),
                    "a stored summary names another file")
            index._summaries[name] = summary
        for qual, (kind, bases, module) in _checked(data["class_info"], dict, list).items():
            info = _ClassInfo(_checked(kind, str), qual, bases=_checked(bases, list, str))
            if module is not None:
                info.summary = index._summaries[_checked(module, str)]
                info.cls = info.summary.classes[qual.rpartition(".")[2]]
            index._class_info[qual] = info
        for qual, spec in _checked(data["field_classes"], dict, dict).items():
            index.field_classes[qual] = _checked_field_options(spec)
        index.source_digests = _checked(data["source_digests"], dict, str)
        index.unparsed = _checked(data["unparsed"], list, str)
        for qual, entry in _checked(data["receiver_facts"], dict, dict).items():
            require(set(entry) == {"derived", "folded"} and qual in index.models, "receiver facts")
            derived = _checked(entry["derived"], dict, str)
            folded = _checked(entry["folded"], list, str)
            require(all(is_identifier(k) and all(is_identifier(n) for n in v.split())
                        for k, v in derived.items()) and all(is_identifier(f) for f in folded),
                    "receiver facts")
            index.receiver_facts[qual] = {"derived": dict(derived), "folded": list(folded)}
        # paths of the walk only: a stored path is never opened, but it may be printed (DJI000)
        require(all(p in index.path_modules for p in index.unparsed), "an unparsed file outside the walk")
        index.relation_field_names = index._relation_field_names()
        _check_shapes(index)
        return index


# Modules that hold signal receivers by convention (besides models modules).
RECEIVER_MODULES = frozenset({"signals.py", "receivers.py", "handlers.py"})


def _pre_save_connections(tree: ast.Module, functions: dict, summary: ModuleSummary,
                          index: ProjectIndex):
    """(sender expression, receiver function) of each module-level receiver of ``pre_save``
    with one sender: ``@receiver(pre_save, sender=M)`` (the signal alone or in a list) and
    ``pre_save.connect(f, sender=M)`` / ``pre_save.connect(f, M)``."""
    def is_pre_save(node: ast.expr) -> bool:
        dotted = dotted_name(node)
        if not dotted or dotted.rpartition(".")[2] != "pre_save":
            return False
        resolved = index.resolve_dotted(summary, dotted)
        return resolved is None or resolved.startswith("django.")

    def sender_of(call: ast.Call, position: int) -> ast.expr | None:
        for kw in call.keywords:
            if kw.arg == "sender":
                return kw.value
        return call.args[position] if len(call.args) > position else None

    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in stmt.decorator_list:
                if not (isinstance(deco, ast.Call) and deco.args
                        and (dotted_name(deco.func) or "").rpartition(".")[2] == "receiver"):
                    continue
                signal = deco.args[0]
                signals = signal.elts if isinstance(signal, (ast.List, ast.Tuple)) else [signal]
                sender = sender_of(deco, 99)
                if sender is not None and signals and all(is_pre_save(s) for s in signals):
                    yield sender, stmt
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            if not (isinstance(call.func, ast.Attribute) and call.func.attr == "connect"
                    and is_pre_save(call.func.value) and call.args):
                continue
            target = call.args[0]
            sender = sender_of(call, 1)
            if isinstance(target, ast.Name) and target.id in functions and sender is not None:
                yield sender, functions[target.id]


def _aliases(summary: ModuleSummary):
    """(local name, qualified target) of each import and ``Name = other.Name`` of a module."""
    yield from summary.imports.items()
    refs = getattr(summary, "refs", None)  # a stored summary: never its (parsed) assignments
    for name in refs if refs is not None else summary.assignments:
        ref = assignment_ref(summary, name, _is_user_model_expr)
        if not ref or ref[0] == "<":
            continue
        head, _, rest = ref.partition(".")
        if head in summary.imports:
            target = summary.imports[head]
        elif head in summary.classes:
            target = f"{summary.name}.{head}"
        else:
            continue
        yield name, f"{target}.{rest}" if rest else target


def _is_relation_class(qualname: str) -> bool:
    """Django's or a known third-party ForeignKey / OneToOneField class, by its name."""
    last = qualname.rpartition(".")[2]
    return last.endswith(("ForeignKey", "OneToOneField")) or _THIRD_PARTY_RELATIONS.get(last) in ("fk", "o2o")


def _checked_field_options(spec: dict) -> dict:
    """A stored ``field_options()`` answer, each step checked; else ValueError."""
    if set(spec) != {"steps", "end"} or spec["end"] not in ("django", "unknown"):
        raise ValueError("malformed field options")
    for step in _checked(spec["steps"], list, list):
        if len(step) != 3 or step[1] not in ("set", "default", "drop", "unknown") or not (
                step[0] == "*" or step[0] in ALL_OPTIONS) or not (step[2] is None or isinstance(step[2], bool)):
            raise ValueError("malformed field option step")
    return {"steps": [list(step) for step in spec["steps"]], "end": spec["end"]}


_RELATIONS = (None, "fk", "o2o", "m2m")
_SET_SOURCES = frozenset({"primary_key", "unique", "one_to_one", "unique_together", "constraint"})


def _check_shapes(index: ProjectIndex) -> None:
    """Stored facts hold what ``build()`` could have written (Malformed otherwise): names a
    message prints are identifiers, positions are true ints, a project model's own
    declarations have a source line, and its path is a module of the walk."""
    require(is_dotted(index.user_model_label), "user model label")
    require(all(is_identifier(label) for label in index.app_labels.values()), "app label")
    require(all(is_identifier(name) for name in index.by_name), "model name")
    field_ok: set[int] = set()  # ids of field facts whose own values were found valid (models share inherited ones)
    for qual, fact in index.models.items():
        require(fact.qualname == qual and is_identifier(fact.name) and is_identifier(fact.app_label),
                "model names")
        first = 0 if fact.builtin else 1
        require(is_position(fact.line, 0, first) and is_str_list(fact.bases)
                and is_str_list(fact.concrete_parents), "model fact")
        require(fact.path == "" if fact.builtin else fact.path in index.path_modules, "model path")
        require(all(is_identifier(k) and is_position(v, 0, first) for k, v in fact.meta_lines.items()),
                "Meta lines")
        require(all(is_identifier(k) for k in fact.managers), "manager attribute")
        require(all(is_identifier(k) and isinstance(v, str) and all(is_identifier(n) for n in v.split())
                    for k, v in fact.save_derived.items()), "save-derived field")
        require(all(is_identifier(k) for k in fact.case_folded), "case-folded field")
        for name, f in fact.fields.items():
            if id(f) not in field_ok:
                require(is_identifier(f.name) and is_identifier(f.kind) and is_position(f.line, f.col, 0)
                        and f.relation in _RELATIONS and (f.on_delete is None or is_identifier(f.on_delete)),
                        "field fact")
                field_ok.add(id(f))
            # a field the model declares itself has a source line (one of Django's has none)
            require(f.name == name and (f.line >= first or f.declared_in not in ("", qual)), "field fact")
        for u in fact.unique_sets:
            own = first if u.declared_in in ("", qual) else 0
            require(u.source in _SET_SOURCES and is_position(u.line, 0, own)
                    and all(is_identifier(n) for n in u.fields), "unique set")


def _inputs_are_a_walk(root: str, inputs: dict, data) -> bool:
    """For the on-disk cache (cache.load's ``accept``): the stored inputs are a walk of
    ``root`` as ``build()`` records one.  The root folder is an input; every other folder is
    listed (``name/``) by its parent's recorded listing; every file input and every module
    path of the stored index is listed by its folder's; every source root is a walked
    folder.  So no stored path points outside the project's own modules and folders, and a listing that changed since (the folder's mtime moved,
    then ``walked_entries`` compares) makes the entry a miss."""
    listed: dict[str, frozenset] = {}
    for path, recorded in inputs.items():
        if isinstance(recorded, list) and len(recorded) == 3 and recorded[0] == "d":
            names = recorded[2]
            if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
                return False
            listed[path] = frozenset(names)
    if root not in listed:
        return False
    for directory in listed:
        if directory != root:
            parent, name = os.path.split(directory)
            if name + "/" not in listed.get(parent, ()):
                return False
    files = [p for p, recorded in inputs.items() if p not in listed]
    path_modules = data.get("path_modules") if isinstance(data, dict) else None
    if not isinstance(path_modules, dict):
        return False
    for path in (*files, *path_modules):
        parent, name = os.path.split(path)
        if name not in listed.get(parent, ()):
            return False
    source_roots = data.get("source_roots")  # where modules the walk did not name are looked for
    return isinstance(source_roots, list) and all(r in listed for r in source_roots)


# ---------------------------------------------------------------------- field classes
FIELD_OPTIONS = ("null", "unique", "blank", "default", "primary_key", "db_default", "auto_now", "auto_now_add")
# What a class does besides its options: ``fills_on_save``, a ``pre_save()`` of its own that
# computes the value (an auto slug), so a blank form value never reaches the table.
ALL_OPTIONS = (*FIELD_OPTIONS, "fills_on_save")
# Methods through which a class gives existing rows a value without a ``default=`` option.
_DEFAULT_METHODS = frozenset({"has_default", "get_default", "_get_default"})
# Django's own classes that force an option in their __init__ (OneToOneField's unique=True is
# its relation kind, read elsewhere).
_DJANGO_FORCED = {"NullBooleanField": {"null": True, "blank": True}}
_SUPER_NAMES = frozenset({"__init__"})


def _either(a: bool | None, b: bool | None) -> bool | None:
    """True if one is True, else None if one is unknown, else False."""
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _option_value(option: str, node: ast.expr | None) -> bool | None:
    """What a value node means for an option: for ``default`` whether there is one (a
    ``None`` constant is none); else True / False for the literals, None for an expression."""
    if option in ("default", "db_default"):
        return not (isinstance(node, ast.Constant) and node.value is None)
    if is_true(node):
        return True
    if is_false(node):
        return False
    return None


def _init_steps(cls: ast.ClassDef) -> tuple[list, list]:
    """The option steps (see ``ProjectIndex.field_options``) of a class's own ``__init__``:
    those that act before its base's ``__init__`` runs, and the ``self.<option> = ...``
    assignments after it, which override whatever the base did."""
    init = next((s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and s.name == "__init__"), None)
    methods = {s.name for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    overrides = [["default", "unknown", None]] if methods & _DEFAULT_METHODS else []
    if "pre_save" in methods:
        overrides.append(["fills_on_save", "set", True])
    if init is None:
        return [], overrides
    args = init.args
    kwargs_name = args.kwarg.arg if args.kwarg else None
    params: dict[str, ast.expr | None] = {}  # an option captured by a named parameter -> its default
    positional = args.posonlyargs + args.args
    pos_defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in [*zip(positional, pos_defaults), *zip(args.kwonlyargs, args.kw_defaults)]:
        if arg.arg in FIELD_OPTIONS:
            params[arg.arg] = default
    before: list = []
    after: list = []
    passed: set[str] = set()
    seen_super = False

    def value_step(option: str, mode: str, node: ast.expr) -> list | None:
        if isinstance(node, ast.Name) and node.id == option and option in params:
            passed.add(option)  # the caller's value, or the parameter's default
            default = params[option]
            return [option, "default", _option_value(option, default)] if default is not None else None
        return [option, mode, _option_value(option, node)]

    def steps_of(stmt: ast.stmt, super_seen: bool) -> tuple[list, list, bool]:
        """(before, after, is the base's __init__ call) for one statement of the body."""
        pre: list = []
        post: list = []
        call = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        if isinstance(call, ast.Await):
            call = call.value
        if isinstance(call, ast.Call) and _is_base_init(call.func):
            for kw in call.keywords:
                if kw.arg is None:
                    if not (isinstance(kw.value, ast.Name) and kw.value.id == kwargs_name):
                        pre.append(["*", "unknown", None])
                elif kw.arg in FIELD_OPTIONS:
                    step = value_step(kw.arg, "set", kw.value)
                    if step:
                        pre.append(step)
            for arg in call.args:
                for sub in ast.walk(arg):
                    if isinstance(sub, ast.Name) and sub.id in params:
                        passed.add(sub.id)
                        pre.append([sub.id, "unknown", None])  # passed on by position
                    elif isinstance(sub, ast.Starred) and not (
                            isinstance(sub.value, ast.Name) and args.vararg is not None
                            and sub.value.id == args.vararg.arg):
                        pre.append(["*", "unknown", None])
            return pre, post, True
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == kwargs_name:
                method, key = node.func.attr, node.args[0] if node.args else None
                option = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                if method in ("get", "__contains__", "keys", "items", "copy"):
                    continue
                if method == "setdefault" and option is not None and len(node.args) == 2:
                    if option in FIELD_OPTIONS:
                        step = value_step(option, "default", node.args[1])
                        if step:
                            pre.append(step)
                elif method == "pop" and option is not None:
                    if option in FIELD_OPTIONS:
                        pre.append([option, "drop", None])
                elif method == "update" and not node.args:
                    for kw in node.keywords:
                        if kw.arg is None:
                            pre.append(["*", "unknown", None])
                        elif kw.arg in FIELD_OPTIONS:
                            step = value_step(kw.arg, "set", kw.value)
                            if step:
                                pre.append(step)
                else:
                    pre.append(["*", "unknown", None])
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                    and node.value.id == kwargs_name and not isinstance(node.ctx, ast.Load):
                key = node.slice
                option = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                if option is None:
                    pre.append(["*", "unknown", None])
                elif option in FIELD_OPTIONS:
                    if isinstance(node.ctx, ast.Del):
                        pre.append([option, "drop", None])
                    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.targets[0] is node:
                        step = value_step(option, "set", stmt.value)
                        if step:
                            pre.append(step)
                    else:
                        pre.append([option, "unknown", None])
            elif isinstance(node, ast.Name) and node.id == kwargs_name and not isinstance(node.ctx, ast.Load):
                pre.append(["*", "unknown", None])  # kwargs = {...}: rebuilt
            elif isinstance(node, ast.Call) and any(
                    isinstance(a, ast.Name) and a.id == kwargs_name for a in node.args):
                pre.append(["*", "unknown", None])  # handed to a helper that may change it
            elif isinstance(node, ast.Assign) and super_seen:
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                            and target.value.id == "self" and target.attr in FIELD_OPTIONS:
                        step = value_step(target.attr, "set", node.value)
                        if step:
                            post.append(step)
        return pre, post, False

    for stmt in init.body:
        nested = not isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete))
        pre, post, is_super = steps_of(stmt, seen_super)
        if nested:  # under an if / for / try / with: may or may not happen
            pre = [[option, "unknown", None] for option, _, _ in pre]
            post = [[option, "unknown", None] for option, _, _ in post]
            if not is_super and any(_is_base_init(n.func) for n in ast.walk(stmt) if isinstance(n, ast.Call)):
                pre.append(["*", "unknown", None])  # the base called conditionally
                is_super = True
        if not seen_super or is_super:  # kwargs changed after the base's __init__ ran: no effect
            before.extend(pre)
        seen_super = seen_super or is_super
        after.extend(post)
    for option in params:
        if option not in passed:
            before.append([option, "drop", None])  # taken by the parameter, not passed on
    return before, after + overrides


def _is_base_init(func: ast.expr) -> bool:
    """``super().__init__`` / ``super(C, self).__init__`` / ``Base.__init__``."""
    if not (isinstance(func, ast.Attribute) and func.attr in _SUPER_NAMES):
        return False
    owner = func.value
    if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
        return True
    return isinstance(owner, (ast.Name, ast.Attribute)) and not (
        isinstance(owner, ast.Name) and owner.id == "self")


def atomic_request_aliases(tree: ast.Module) -> set[str]:
    """Aliases a settings module turns ATOMIC_REQUESTS on for: ``{"default": {...,
    "ATOMIC_REQUESTS": True}}``, ``dict(ATOMIC_REQUESTS=...)``, and
    ``DATABASES["default"]["ATOMIC_REQUESTS"] = ...``.  The alias is the key of the dict that
    holds the setting ("default" when it cannot be read)."""
    found = set()
    alias_of: dict[int, str] = {}  # a settings dict -> the key that holds it
    setters = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    alias_of[id(value)] = key.value
        if isinstance(node, (ast.Dict, ast.Call)) and _sets_atomic_requests(node):
            setters.append(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (isinstance(target, ast.Subscript) and _constant(target.slice) == "ATOMIC_REQUESTS"
                        and not is_false(node.value)):
                    outer = target.value
                    alias = _constant(outer.slice) if isinstance(outer, ast.Subscript) else None
                    found.add(alias if isinstance(alias, str) else "default")
    for node in setters:
        found.add(alias_of.get(id(node), "default"))
    return found


def _sets_atomic_requests(node: ast.expr) -> bool:
    if isinstance(node, ast.Dict):
        pairs = [(_constant(k), v) for k, v in zip(node.keys, node.values) if k is not None]
    elif isinstance(node, ast.Call):
        pairs = [(k.arg, k.value) for k in node.keywords if k.arg]
    else:
        return False
    return any(name == "ATOMIC_REQUESTS" and not is_false(value) for name, value in pairs)


def _constant(node):
    return node.value if isinstance(node, ast.Constant) else None


def _lower_label(label: str) -> str:
    app, _, name = label.rpartition(".")
    return f"{app}.{name.lower()}"


def _is_user_model_expr(node: ast.expr, summary: ModuleSummary) -> bool:
    """``get_user_model()``, ``settings.AUTH_USER_MODEL`` or the reusable apps' spelling
    ``getattr(settings, "AUTH_USER_MODEL", "auth.User")`` (the default is Django's own)."""
    if isinstance(node, ast.Call) and not node.args:
        name = dotted_name(node.func)
        if name and name.rpartition(".")[2] == "get_user_model":
            return True
    if (isinstance(node, ast.Call) and len(node.args) in (2, 3) and not node.keywords
            and isinstance(node.func, ast.Name) and node.func.id == "getattr"):
        owner, key = dotted_name(node.args[0]), node.args[1]
        if (owner and owner.rpartition(".")[2] == "settings" and isinstance(key, ast.Constant)
                and key.value == "AUTH_USER_MODEL"):
            return True
    dotted = dotted_name(node)
    return bool(dotted) and dotted.endswith("settings.AUTH_USER_MODEL")




def _read_meta(node: ast.ClassDef) -> dict:
    meta: dict = {"_lines": {}}
    for stmt in node.body:
        if not (isinstance(stmt, ast.ClassDef) and stmt.name == "Meta"):
            continue
        meta["_declared"] = True
        meta["_inherits"] = bool(stmt.bases)
        for item in stmt.body:
            if not (isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name)):
                continue
            key, value = item.targets[0].id, item.value
            meta["_lines"][key] = item.lineno
            if key in ("abstract", "proxy", "managed") and isinstance(value, ast.Constant):
                meta[key] = value.value
            elif key == "app_label" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                meta[key] = value.value
            elif key in ("unique_together", "constraints"):
                meta[key] = value
    return meta


def _string_tuple(node) -> tuple[str, ...] | None:
    if isinstance(node, (ast.Tuple, ast.List)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return tuple(e.value for e in node.elts)
    return None


def _meta_unique_sets(meta: dict, owner: str) -> list[UniqueSet]:
    sets = []
    together = meta.get("unique_together")
    if isinstance(together, (ast.Tuple, ast.List)):
        flat = _string_tuple(together)
        if flat is not None and flat:
            sets.append(UniqueSet(flat, "unique_together", together.lineno, declared_in=owner))
        else:
            for elt in together.elts:
                names = _string_tuple(elt)
                if names:
                    sets.append(UniqueSet(names, "unique_together", elt.lineno, declared_in=owner))
    constraints = meta.get("constraints")
    if isinstance(constraints, (ast.Tuple, ast.List)):
        for elt in constraints.elts:
            if not isinstance(elt, ast.Call):
                continue
            name = dotted_name(elt.func) or ""
            if not name.endswith("UniqueConstraint"):
                continue
            kwargs = {kw.arg: kw.value for kw in elt.keywords if kw.arg}
            fields = _string_tuple(kwargs.get("fields")) if "fields" in kwargs else None
            cname = kwargs.get("name")
            sets.append(
                UniqueSet(
                    fields or (), "constraint", elt.lineno,
                    conditional="condition" in kwargs,
                    expressions=fields is None,
                    name=cname.value if isinstance(cname, ast.Constant) else None,
                    declared_in=owner,
                    nulls_distinct=not is_false(kwargs.get("nulls_distinct")),
                    refs=_expression_refs(elt.args) if fields is None else "",
                    condition=_condition_text(kwargs["condition"]) if "condition" in kwargs else "",
                )
            )
    return sets


_LITERAL_CALLS = frozenset({"Value"})  # a literal: its strings are not field names
_CONDITION_DEPTH = 8


def _expression_refs(args) -> str:
    """The field names a functional UniqueConstraint's expressions read: ``F("a")``, a bare
    ``"a"`` (UniqueConstraint and Func arguments take a string as F("a")), a ``When``/``Q``
    keyword's field.  Strings that are not identifiers (a ``CombinedExpression``'s "<") are not
    names; ``Value(...)`` is a literal.  "" when an expression holds anything else we cannot
    classify (a name or attribute used as a value)."""
    refs: list[str] = []
    stack = [(a, 0) for a in args]
    while stack:
        node, depth = stack.pop()
        if depth > 16:
            return ""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and node.value.isidentifier():
                refs.append(node.value)
            continue
        if not isinstance(node, ast.Call):
            return ""
        callee = (dotted_name(node.func) or "").rpartition(".")[2]
        if not callee or callee in _LITERAL_CALLS:
            continue
        for arg in node.args:
            stack.append((arg, depth + 1))
        for kw in node.keywords:
            if kw.arg is None:
                return ""
            if kw.arg == "output_field":
                continue
            if callee in ("When", "Q") and kw.arg not in ("then", "_connector", "_negated"):
                refs.append(kw.arg.partition("__")[0])
            stack.append((kw.value, depth + 1))
    if not refs:
        return ""
    return " ".join(sorted(set(refs)))


def _condition_text(node) -> str:
    """A UniqueConstraint condition made of ANDed exact / isnull lookups on literals, as
    "field op value;..." (value a Python literal's repr); "" for any other condition."""
    clauses: list[str] = []
    stack = [(node, 0)]
    while stack:
        cur, depth = stack.pop()
        if depth > _CONDITION_DEPTH:
            return ""
        if isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.BitAnd):
            stack += [(cur.left, depth + 1), (cur.right, depth + 1)]
            continue
        if not (isinstance(cur, ast.Call) and (dotted_name(cur.func) or "").rpartition(".")[2] == "Q"):
            return ""
        if cur.args or any(kw.arg == "_connector" or kw.arg == "_negated" for kw in cur.keywords):
            return ""
        for kw in cur.keywords:
            if kw.arg is None or not isinstance(kw.value, ast.Constant):
                return ""
            value = kw.value.value
            if not (value is None or isinstance(value, (bool, int, str))):
                return ""
            name, _, lookup = kw.arg.partition("__")
            if lookup in ("", "exact"):
                clauses.append(f"{name} exact {value!r}")
            elif lookup == "isnull" and isinstance(value, bool):
                clauses.append(f"{name} isnull {value!r}")
            else:
                return ""
    return ";".join(sorted(clauses))


# ---------------------------------------------------------------------- per process
def _release(index: ProjectIndex) -> None:
    """An index dropped from the memo: write its new module summaries now and let go of them."""
    if index.summary_store is not None:
        index.summary_store.close()


# What the index makes of the same files: bump when a change gives other facts for them, so a
# cache written by the older code is rebuilt (2: a field redeclared in a subclass overrides the
# base's in MRO order; a project's one concrete user model without AUTH_USER_MODEL).
FACTS_FORMAT = 4  # 3: save() and pre_save derivations (project/derived.py), case_folded;
# 4: getattr(settings, "AUTH_USER_MODEL", ...) names the user model
# the most recent roots only (memo.py): a long-lived host that lints many roots stays bounded
_INDEXES: dict[tuple, ProjectIndex] = RecentMemo(RECENT_ROOTS, on_evict=_release)


def get_index(root: str, options: IndexOptions | None = None, *, cache_dir: str | None = None,
              use_cache: bool = False) -> ProjectIndex:
    """The index of a project root, built once per process; with ``use_cache``, loaded from
    the on-disk cache (project/cache.py) when nothing it was read from has changed."""
    options = options or IndexOptions()
    key = (root, options.extra_model_bases, options.extra_managers, options.exclude)
    index = _INDEXES.get(key)
    if index is None:
        from . import cache

        with collector_paused():  # gc_pause.py
            index = cache.load_or_build(
                "index", root,
                build=lambda: ProjectIndex(root, options).build(),
                inputs=ProjectIndex.inputs,
                to_json=ProjectIndex.to_json,
                from_json=lambda data: ProjectIndex.from_json(root, options, data),
                key={"facts": FACTS_FORMAT,
                     "model_bases": list(options.extra_model_bases), "managers": list(options.extra_managers),
                     "exclude": list(options.exclude)},
                cache_dir=cache_dir, enabled=use_cache,
                accept=lambda inputs, data: _inputs_are_a_walk(root, inputs, data),
            )
        store_dir = (cache_dir or cache.default_dir()) if use_cache else None
        if store_dir:  # modules read after the build: kept per file (cache.FileStore)
            index.summary_store = cache.FileStore("summaries", root, {"format": 1}, store_dir)
        _INDEXES[key] = index
    return index


# Unique sets a field declaration makes: they belong to that declaration, not to the name.
_FIELD_UNIQUE_SOURCES = ("primary_key", "unique", "one_to_one")


def _override_inherited_fields(models: dict, fact: ModelFact, own: list[FieldFact]) -> None:
    """A field declared in a class body overrides the one of the same name in any base, in
    Python's method resolution order: ``class C(A, B)`` where ``B`` redeclares a field of a
    base both share gets ``B``'s, and a field of the class's own body beats every base's.
    The bases were merged first-come (each base with all it inherited); here each inherited
    field name goes to the declaration nearest in the MRO, and a unique set made by a field
    declaration (``unique=True``, a primary key, a one-to-one) that no longer declares the
    model's field of that name is dropped: ``slug`` redeclared without ``unique`` in a subclass
    of a mixin whose ``slug`` is unique is not unique."""
    if not fact.bases:
        return
    order = _model_mro(models, fact.qualname, fact.bases)
    if order is not None:
        rank = {q: i for i, q in enumerate(order)}
        own_names = {f.name for f in own}
        for base in fact.bases:
            parent = models.get(base)
            if parent is None:
                continue
            for name, f in parent.fields.items():
                if name in own_names:
                    continue
                current = fact.fields.get(name)
                if current is None or current is f:
                    continue
                if rank.get(f.declared_in, len(rank)) < rank.get(current.declared_in, len(rank)):
                    fact.fields[name] = f
    kept = []
    for u in fact.unique_sets:
        if u.source in _FIELD_UNIQUE_SOURCES and len(u.fields) == 1 and u.declared_in:
            f = fact.fields.get(u.fields[0])
            if f is not None and f.declared_in and f.declared_in != u.declared_in \
                    and not _makes_unique_set(f, u.source):
                continue  # the field that made it is overridden by one that does not
        kept.append(u)
    fact.unique_sets[:] = kept


def _makes_unique_set(f: FieldFact, source: str) -> bool:
    """``f`` itself makes a unique set of ``source``: a concrete model re-stamps the unique
    sets it inherits from an abstract base with its own name (Django's ``User`` over
    ``AbstractUser``), while the field keeps the base that declares it; the set is the
    field's own, not an overridden one's.  An unknown ``unique`` counts as making it (an
    unknown never drops what a rule may rely on)."""
    if source == "unique":
        return f.unique is not False
    if source == "primary_key":
        return f.primary_key
    return f.relation == "o2o"


def _model_mro(models: dict, qualname: str, bases: list[str], depth: int = 0) -> list[str] | None:
    """The C3 linearisation of a model over its model bases (``ModelFact.bases``, in order);
    None when it cannot be computed (a cycle, too deep, an inconsistent order)."""
    if depth > _MAX_DEPTH:
        return None
    lines = []
    for base in bases:
        parent = models.get(base)
        line = _model_mro(models, base, parent.bases, depth + 1) if parent is not None else [base]
        if line is None:
            return None
        lines.append(list(line))
    lines.append(list(bases))
    order = [qualname]
    while any(lines):
        for line in lines:
            if not line:
                continue
            head = line[0]
            if not any(head in other[1:] for other in lines):
                break
        else:
            return None
        order.append(head)
        for line in lines:
            if line and line[0] == head:
                del line[0]
    return order
