"""Everything a project index answers about a project, as comparable plain data.

Used to prove that an index loaded from the on-disk cache answers exactly like a freshly built
one (tests/test_cache.py on the test projects, benchmarks/cache_equivalence.py on the corpus).
"""

from __future__ import annotations

import ast
import os

from flake8_django_integrity.project import layout
from flake8_django_integrity.project.index import ProjectIndex
from flake8_django_integrity.project.records import as_dict as asdict
from flake8_django_integrity.project.summary import dotted_name, summarize


def _fact(fact):
    return None if fact is None else asdict(fact)


def answers(index: ProjectIndex, root: str, limit_per_file: int = 400) -> dict:
    """Per file of the project: how every dotted name it uses resolves, what every class it
    declares is, which model every model-looking name means; plus the project-wide facts."""
    out: dict = {
        "models": {q: asdict(f) for q, f in index.models.items()},
        "by_label": dict(index.by_label),
        "by_name": dict(index.by_name),
        "manager_models": dict(index.manager_models),
        "reverse": {k: dict(v) for k, v in index.reverse.items()},
        "user_model": _fact(index.user_model()),
        "files": {},
    }
    for path in layout.iter_python_files(root):
        try:
            tree = ast.parse(open(path, "rb").read(), filename=path)
        except (SyntaxError, ValueError):
            continue
        module, is_package = layout.module_name(path, root)
        summary = summarize(tree, module, is_package)
        names = sorted({d for d in (dotted_name(n) for n in ast.walk(tree)
                                    if isinstance(n, (ast.Name, ast.Attribute))) if d})
        file_answers = {}
        for dotted in names[:limit_per_file]:
            target = index.resolve_dotted(summary, dotted)
            file_answers[dotted] = [target, _label(index.model(target))]
        for cls in summary.classes:
            qual = f"{module}.{cls}"
            info = index.class_info(qual)
            file_answers[f"class {cls}"] = [
                info.kind, list(info.bases), _label(index.model(qual)),
                sorted(f.qualname for f in index.models_for_manager(qual)),
            ]
        out["files"][os.path.relpath(path, root)] = file_answers
    return out


def _label(fact):
    return fact.label if fact is not None else None
