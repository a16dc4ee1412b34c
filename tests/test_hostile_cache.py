"""A hostile cache is just a wrong cache (issue 13, item 2), and the cache stays small (item 5).

Whoever can write the cache directory (a CI cache restored from an untrusted branch, a
``dji-cache-dir`` committed in the repository) chooses what the plugin reads.  Each attack
below forges an entry the way an attacker would: from a real cache file that flake8 wrote
for a fixture project (``--dji-cache-dir``), edited.  The plugin must then answer exactly as
it did cold (a miss and a rebuild) or, for an entry that passes every check, describe a
wrong but well-formed project: never crash, hang, eat memory, open what the cache names,
or print text the code could not have produced.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flake8.defaults import EXCLUDE as FLAKE8_EXCLUDE

from flake8_django_integrity.project import cache, index as index_module
from flake8_django_integrity.project import migrations as migrations_module
from flake8_django_integrity.project.index import IndexOptions, get_index
from harness import FIXTURES
from test_cache import age, copy_project

PROJECT = FIXTURES / "dji002_unique_migration"  # models with drift, migrations with findings
FULL = "%(path)s:%(row)d:%(col)d: %(code)s %(text)s"
MEMORY_LIMIT = 2 * 1024**3  # a flake8 that reads /dev/zero dies here rather than eat the machine


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def lint(root: Path, cache_dir: Path | None, *, timeout: float = 120) -> list[str]:
    """flake8's full output lines for the project, one process (``-j1``: a hang is the
    process we time out), the cache in ``cache_dir`` (None: no cache)."""
    cache_args = [f"--dji-cache-dir={cache_dir}"] if cache_dir else ["--dji-no-cache"]
    result = subprocess.run(
        [sys.executable, "-m", "flake8", f"--format={FULL}", "--jobs=1", *cache_args, "."],
        cwd=root, capture_output=True, text=True, timeout=timeout, preexec_fn=_limit_memory,
        env={**os.environ, "FLAKE8_DJI_TESTING": "1"},
    )
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return sorted(result.stdout.splitlines())


def linted_cold(root: Path, cache_dir: Path) -> list[str]:
    """The cold run's output (it fills ``cache_dir``), checked to hold what the attacks forge."""
    cold = lint(root, cache_dir)
    codes = {line.split(": ")[1].split()[0] for line in cold}
    assert codes == {"DJI002"} and any("/migrations/" in line for line in cold)
    return cold


@pytest.fixture(scope="session")
def linted_once(tmp_path_factory):
    """A copy of the fixture project, the cache folder its cold run filled, and that run's
    output: made once per test process (entries name the project's path, so the tests share
    the copy; none of them edits it)."""
    base = tmp_path_factory.mktemp("hostile")
    root = copy_project(PROJECT, base / "proj")
    return root, base / "cache", linted_cold(root, base / "cache")


@pytest.fixture
def project(linted_once, tmp_path):
    """(root, cache folder, the cold run's output): the shared project, never edited, and a
    copy of the filled cache folder of this test's own (files and their dates as written)."""
    root, filled, cold = linted_once
    cache_dir = tmp_path / "cache"
    shutil.copytree(filled, cache_dir)
    return root, cache_dir, cold


@pytest.fixture
def own_project(tmp_path):
    """(root, cache folder, the cold run's output) of a copy of the project of this test's
    own, for a test that edits the project."""
    root = copy_project(PROJECT, tmp_path / "proj")
    return root, tmp_path / "cache", linted_cold(root, tmp_path / "cache")


def cache_file(cache_dir: Path, kind: str) -> Path:
    (found,) = cache_dir.glob(f"{kind}-*.json")
    return found


def edit(path: Path, change) -> None:
    stored = json.loads(path.read_text())
    change(stored)
    path.write_text(json.dumps(stored))


def all_findings(stored: dict) -> list[dict]:
    found = [f for fs in stored["data"]["findings"].values() for f in fs]
    assert found  # the forgery has something to forge
    return found


# ---------------------------------------------------------------------- types
@pytest.mark.parametrize("bad_line", ["3", None, 3.5, True, 0, -2], ids=repr)
def test_a_migration_finding_line_of_the_wrong_type_is_a_miss(project, bad_line):
    root, cache_dir, cold = project

    def forge(stored):
        for f in all_findings(stored):
            f["line"] = bad_line

    edit(cache_file(cache_dir, "migrations"), forge)
    assert lint(root, cache_dir) == cold


# ---------------------------------------------------------------------- not a regular file
def test_a_cache_file_that_is_a_fifo_does_not_block(project):
    root, cache_dir, cold = project
    for kind in ("index", "migrations"):
        path = cache_file(cache_dir, kind)
        path.unlink()
        os.mkfifo(path)
    assert lint(root, cache_dir, timeout=60) == cold


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_cache_file_linked_to_a_device_is_not_read(project, device):
    root, cache_dir, cold = project
    for kind in ("index", "migrations"):
        path = cache_file(cache_dir, kind)
        path.unlink()
        path.symlink_to(device)
    assert lint(root, cache_dir, timeout=60) == cold


def test_a_cache_file_linked_to_a_valid_entry_elsewhere_is_not_followed(project, tmp_path):
    """A link to a well-formed entry (here: the real one, moved away) is still a link."""
    root, cache_dir, cold = project
    path = cache_file(cache_dir, "index")
    moved = tmp_path / "elsewhere.json"
    path.rename(moved)
    path.symlink_to(moved)
    index_module._INDEXES.clear()
    assert get_index(str(root), cache_dir=str(cache_dir), use_cache=True).files_read > 0


def test_writing_replaces_a_planted_link_instead_of_writing_through_it(project, tmp_path):
    root, cache_dir, cold = project
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = cache_file(cache_dir, "index")
    path.unlink()
    path.symlink_to(victim)
    assert lint(root, cache_dir) == cold
    assert victim.read_text() == "precious"
    assert not path.is_symlink() and json.loads(path.read_text())["kind"] == "index"


@pytest.mark.parametrize("what", ["file", "fifo", "link to a file", "dangling link"])
def test_a_cache_directory_that_is_no_directory_is_not_an_error(project, tmp_path, what):
    root, _, cold = project
    odd = tmp_path / "odd-cache"
    target = tmp_path / "some-file"
    target.write_text("not a folder")
    if what == "file":
        odd.write_text("not a folder")
    elif what == "fifo":
        os.mkfifo(odd)
    elif what == "link to a file":
        odd.symlink_to(target)
    else:
        odd.symlink_to(tmp_path / "missing")
    assert lint(root, odd, timeout=60) == cold
    assert target.read_text() == "not a folder"


# ---------------------------------------------------------------------- paths from the cache
@pytest.mark.parametrize("where", ["fifo", "/dev/zero"])
def test_a_summary_path_from_the_cache_is_never_used(project, tmp_path, where):
    """The index opens a stored module's file to read class bodies: that file must be the
    one its own walk found for the module, whatever the cache says."""
    root, cache_dir, cold = project
    if where == "fifo":
        target = tmp_path / "trap.py"
        os.mkfifo(target)
    else:
        target = Path(where)

    def forge(stored):
        summaries = stored["data"]["summaries"]
        assert summaries
        for summary in summaries.values():
            summary["path"] = str(target)

    edit(cache_file(cache_dir, "index"), forge)
    index_module._INDEXES.clear()
    index = get_index(str(root), cache_dir=str(cache_dir), use_cache=True)
    assert index.files_read > 0  # a miss: rebuilt from the project
    paths = {getattr(s, "path", None) for s in index._summaries.values()}
    assert str(target) not in paths
    index_module._INDEXES.clear()
    assert lint(root, cache_dir, timeout=60) == cold


# ---------------------------------------------------------------------- fingerprints
@pytest.mark.parametrize("kind", ["index", "migrations"])
def test_an_entry_with_empty_inputs_matches_no_project(own_project, kind):
    """An entry that depends on nothing would be used whatever the project holds: after
    an edit it must not hide the edit."""
    root, cache_dir, cold = own_project
    edit(cache_file(cache_dir, kind), lambda stored: stored.update(inputs={}))
    if kind == "index":  # a uniqueness the models no longer declare
        changed, old, new = root / "shop" / "models.py", "unique=True)  # expect: DJI002", ")"
    else:  # a migration that no longer adds one
        changed = root / "catalog" / "migrations" / "0002_code_unique.py"
        old, new = "unique=True)", "unique=False)"
    text = changed.read_text()
    assert old in text
    changed.write_text(text.replace(old, new, 1))
    age(root)
    fresh = lint(root, None)
    assert fresh != cold  # the edit changes the answer
    assert lint(root, cache_dir) == fresh


def test_an_entry_whose_inputs_lie_outside_the_project_is_a_miss(project, tmp_path):
    root, cache_dir, cold = project
    outside = tmp_path / "outside.py"
    outside.write_text("")

    def forge(stored):
        stored["inputs"] = {str(outside): cache.fingerprint(str(outside))}

    edit(cache_file(cache_dir, "index"), forge)
    index_module._INDEXES.clear()
    assert get_index(str(root), cache_dir=str(cache_dir), use_cache=True).files_read > 0


def test_source_roots_outside_the_walk_are_a_miss(project, tmp_path):
    """Modules the walk did not name are looked for under the source roots: a stored root
    elsewhere would send that search (and what it opens) out of the project."""
    root, cache_dir, cold = project
    edit(cache_file(cache_dir, "index"),
         lambda stored: stored["data"]["source_roots"].append(str(tmp_path)))
    index_module._INDEXES.clear()
    index = get_index(str(root), cache_dir=str(cache_dir), use_cache=True)
    assert index.files_read > 0 and str(tmp_path) not in index.source_roots


# ---------------------------------------------------------------------- forged messages
FORGED = "\n{root}/shop/views.py:1:1: DJI001 forged finding"


WHERE = ["migration finding model", "index model name", "migration finding app label", "index field name"]
ODD = {"tab": "\tX", "line separator": "\u2028X", "bidi override": "\u202eX", "space": " X"}


@pytest.mark.parametrize(
    "where, text",
    [(where, FORGED) for where in WHERE] + [("migration finding model", odd) for odd in ODD.values()],
    ids=[f"newline in {where}" for where in WHERE] + [f"{name} in migration finding model" for name in ODD],
)
def test_text_that_would_reach_a_message_must_be_a_name(project, where, text):
    root, cache_dir, cold = project
    text = text.format(root=root)

    def forge_migrations(stored):
        for f in all_findings(stored):
            if where == "migration finding model":
                f["model"] = "Book" + text
            else:
                f["app_label"] = "catalog" + text

    def forge_index(stored):
        models = [m for m in stored["data"]["models"].values() if not m["builtin"] and m["fields"]]
        assert models
        for m in models:
            if where == "index model name":
                m["name"] = m["name"] + text
            else:
                m["fields"] = {k + text: v for k, v in m["fields"].items()}

    if where.startswith("migration"):
        edit(cache_file(cache_dir, "migrations"), forge_migrations)
    else:
        edit(cache_file(cache_dir, "index"), forge_index)
    hot = lint(root, cache_dir)
    assert not any("forged" in line for line in hot)
    assert hot == cold


# ---------------------------------------------------------------------- housekeeping
def _file(path: Path, age_seconds: float, size: int = 10) -> Path:
    path.write_bytes(b"x" * size)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_trim_removes_stale_temporary_files_and_old_entries_only(tmp_path):
    day = 86400
    stale_tmp = _file(tmp_path / ".tmp-abc123.json", cache.STALE_TMP_SECONDS + 60)
    fresh_tmp = _file(tmp_path / ".tmp-def456.json", 5)  # a write in progress
    old = _file(tmp_path / f"index-{'a' * 20}.json", (cache.EVICT_AFTER_DAYS + 1) * day)
    recent = _file(tmp_path / f"migrations-{'b' * 20}.json", (cache.EVICT_AFTER_DAYS - 1) * day)
    foreign = _file(tmp_path / "notes.txt", 400 * day)  # not ours: never touched
    not_ours = _file(tmp_path / "index-xyz.json", 400 * day)
    target = _file(tmp_path / "target.json", 0)
    link = tmp_path / f"summaries-{'c' * 20}.json"
    link.symlink_to(target)  # a planted link goes, its target stays
    cache.trim(str(tmp_path))
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {fresh_tmp.name, recent.name, foreign.name, not_ours.name, target.name}
    assert not stale_tmp.exists() and not old.exists() and not link.is_symlink()
    assert target.read_bytes() == b"x" * 10


def test_trim_evicts_least_recently_used_beyond_the_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MAX_TOTAL_BYTES", 250)
    entries = [_file(tmp_path / f"index-{str(i) * 20}.json", 3600 * (5 - i), size=100) for i in range(5)]
    cache.trim(str(tmp_path), keep=str(entries[0]))
    left = sorted(p.name for p in tmp_path.iterdir())
    # 0 is the file just written: kept whatever its age, and it counts (100 bytes); the
    # oldest others go until the total fits: 1, 2, 3 go, 4 (the newest) stays, 200 <= 250
    assert left == sorted([entries[0].name, entries[4].name])


def test_a_write_cleans_the_cache_directory(project):
    root, cache_dir, cold = project
    stale = _file(cache_dir / ".tmp-killed9.json", cache.STALE_TMP_SECONDS + 60)
    old = _file(cache_dir / f"index-{'d' * 20}.json", (cache.EVICT_AFTER_DAYS + 1) * 86400)
    cache_file(cache_dir, "migrations").unlink()  # a miss: the run writes
    assert lint(root, cache_dir) == cold
    assert not stale.exists() and not old.exists()


AS_FLAKE8 = IndexOptions(exclude=FLAKE8_EXCLUDE)


def test_a_hit_marks_the_entry_used_once_a_day(project):
    root, cache_dir, cold = project
    # the options flake8's run keyed the entry with (its default excludes)
    path = cache_file(cache_dir, "index")
    week_ago = time.time() - 7 * 86400
    os.utime(path, (week_ago, week_ago))
    index_module._INDEXES.clear()
    assert get_index(str(root), AS_FLAKE8, cache_dir=str(cache_dir), use_cache=True).files_read == 0
    assert path.stat().st_mtime > time.time() - 3600  # eviction counts from now
    hour_ago = time.time() - 3600
    os.utime(path, (hour_ago, hour_ago))
    index_module._INDEXES.clear()
    get_index(str(root), AS_FLAKE8, cache_dir=str(cache_dir), use_cache=True)
    assert abs(path.stat().st_mtime - hour_ago) < 1  # not written again the same day


# ---------------------------------------------------------------------- memo tables
def test_recent_memo_keeps_the_newest_keys():
    from flake8_django_integrity.project.memo import RecentMemo

    dropped = []
    memo = RecentMemo(3, on_evict=dropped.append)
    for i in range(5):
        memo[i] = str(i)
        memo[i] = str(i)  # a key set again is not a new key
    assert list(memo) == [2, 3, 4] and dropped == ["0", "1"]
    memo.setdefault(9, "9")
    memo.update({10: "10"})
    assert len(memo) == 3 and list(memo) == [4, 9, 10]


def test_an_in_process_host_linting_many_roots_stays_bounded(tmp_path):
    from flake8_django_integrity.project.memo import RECENT_ROOTS

    index_module._INDEXES.clear()
    migrations_module._STATES.clear()
    roots = [copy_project(PROJECT, tmp_path / f"proj{i}") for i in range(RECENT_ROOTS + 3)]
    for root in roots:
        index = get_index(str(root), cache_dir=str(tmp_path / "cache"), use_cache=True)
        migrations_module.get_migration_state(index)
        migrations_module.get_drift(index)
        assert get_index(str(root), cache_dir=str(tmp_path / "cache"), use_cache=True) is index
    for table in (index_module._INDEXES, migrations_module._STATES, migrations_module._DRIFT):
        assert len(table) == RECENT_ROOTS
    assert str(roots[-1]) in {key[0] for key in index_module._INDEXES}
    assert str(roots[0]) not in {key[0] for key in index_module._INDEXES}
