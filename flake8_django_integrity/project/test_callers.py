"""Which of the project's functions its test modules call: test code, not production code.

The function index (project/functions.py) reads production modules only.  A function that no
production code calls and no entry point reaches would count as called from outside (a
library's public API, a hook named in settings); when the test modules call it, and no string
of the production code names it as a dotted path, it is a test helper whose module name does
not say so (``populate_test_data.py``, ``factories.py``): the runtime rules leave it out, as
they leave test modules out, unless ``--dji-lint-tests``.

A module that no production code imports and the test modules do (``factories.py``,
``testutils.py``) is test support code as a whole (project/reach.py asks ``importer``).

Only module-level functions are judged here: a test calls a method through an object whose
class the plugin cannot see, so a method without production callers keeps its unknown callers.
Test modules are read only when a rule asks about such a function, and only those whose text
names it; each is parsed once per process.
"""

from __future__ import annotations

import ast
import os
import re

from . import layout
from .files import read_source
from .summary import dotted_name, summarize

_MAX_TEST_FILES = 20000
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TestCallers:
    __test__ = False  # not a pytest class

    def __init__(self, root: str, exclude: tuple[str, ...] = ()):
        self.root = root
        self.exclude = exclude
        self._names: dict[str, frozenset[str]] | None = None  # test module path -> identifiers
        self._calls: dict[str, tuple | None] = {}  # path -> (imports, stars, dotted texts,
        # the names its import statements name)
        self._answers: dict[str, bool] = {}
        self._importers: dict[str, str | None] = {}  # module -> a test module importing it

    def _identifiers(self) -> dict[str, frozenset[str]]:
        """The words of each test module (its text is not kept: a file is read again only
        when it holds the name asked about)."""
        if self._names is None:
            self._names = {}
            for path in layout.iter_python_files(self.root, None, self.exclude):
                if len(self._names) >= _MAX_TEST_FILES:
                    break
                if layout.is_test_path(os.path.relpath(path, self.root)):
                    source = read_source(path)
                    if source is not None:
                        self._names[path] = frozenset(_IDENTIFIER.findall(source))
        return self._names

    def call(self, index, qual: str) -> bool:
        """A test module calls or names the module-level function ``qual`` (resolved through
        its imports, never by name alone)."""
        if qual in self._answers:
            return self._answers[qual]
        unit = index.units.get(qual)
        found = False
        if unit is not None and not unit.is_method and unit.name.isidentifier():
            found = any(self._calls_it(index, path, qual)
                        for path, words in self._identifiers().items() if unit.name in words)
        self._answers[qual] = found
        return found

    def importer(self, module: str) -> str | None:
        """The path of a test module that imports ``module`` (``import a.b``, ``from a import
        b``, ``from a.b import c``, relative imports, imports inside functions), or None."""
        if module in self._importers:
            return self._importers[module]
        last = module.rpartition(".")[2]
        found = None
        if last.isidentifier():
            for path, words in self._identifiers().items():
                if last not in words:
                    continue
                parsed = self._parsed(path)
                if parsed is not None and any(
                        text == module or text.startswith(module + ".") for text in parsed[3]):
                    found = path
                    break
        self._importers[module] = found
        return found

    def _calls_it(self, index, path: str, qual: str) -> bool:
        parsed = self._parsed(path)
        if parsed is None:
            return False
        imports, stars, texts, _imported = parsed
        for text in texts:
            head, _, rest = text.partition(".")
            target = imports.get(head)
            if target is not None:
                if index.qualified(f"{target}.{rest}" if rest else target) == qual:
                    return True
            elif any(index.resolve(star, text) == qual for star in stars if star in index.modules):
                return True
        return False

    def _parsed(self, path: str):
        if path not in self._calls:
            self._calls[path] = None
            source = read_source(path)
            if source is None:
                return None
            try:
                tree = ast.parse(source, filename=path)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            name, is_package = layout.module_name(path, self.root)
            summary = summarize(tree, name or "", is_package)
            texts = set()
            for node in ast.walk(tree):
                if isinstance(node, (ast.Name, ast.Attribute)):
                    text = dotted_name(node)
                    if text:
                        texts.add(text)
            self._calls[path] = (summary.imports, list(summary.star_imports), texts,
                                 list(summary.imported))
        return self._calls[path]
