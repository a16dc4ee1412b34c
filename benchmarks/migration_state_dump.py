"""Dump the replayed migration state of projects as JSON, to compare two versions of the code.

    python benchmarks/migration_state_dump.py OUT.json ROOT [ROOT ...]

For each project root: every app's replayed model state, the findings of the replay (unsafe
migrations, DJI002 / DJI004) and the drift between models and migrations, as plain sorted
JSON.  Run it with one version of the package importable, then with the other, and ``diff``
the two files: a change meant to make the replay faster must leave them identical.  The
package is imported from wherever Python finds it (set PYTHONPATH to choose), not from this
repository.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict


def dump(root: str) -> dict:
    from flake8_django_integrity.project import migrations
    from flake8_django_integrity.project.index import ProjectIndex

    index = ProjectIndex(root).build()
    started = time.process_time()
    state = migrations.build_migration_state(index)
    replay = time.process_time() - started
    drift = migrations.drift(index, state)
    data = state.to_json()
    data["drift"] = {path: sorted((asdict(f) for f in found), key=lambda d: json.dumps(d, sort_keys=True))
                     for path, found in drift.items()}
    print(f"{root}: {state.migrations} migrations, {len(state.models)} models, "
          f"{sum(map(len, state.findings.values()))} findings, replay {replay:.2f} s CPU",
          file=sys.stderr)
    return data


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.exit(__doc__)
    out, roots = argv[0], argv[1:]
    result = {os.path.abspath(root): dump(os.path.abspath(root)) for root in roots}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
