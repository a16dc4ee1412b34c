"""A row looked up by a constant key is made once per install: DJI003 / DJI007 leave its race
out by default, and --dji-lint-install-once reports it (tests/fixtures/constant_keys).

Lines marked ``# expect: DJInnn`` are reported by default (a value that varies per run, a
related manager, a row the project deletes again); lines marked ``# with
--dji-lint-install-once: DJInnn`` only with the option."""

from __future__ import annotations

import re

from harness import FIXTURES, expected, findings, run_flake8

PROJECT = FIXTURES / "constant_keys"
WITH_OPTION = re.compile(r"#\s*with --dji-lint-install-once:\s*(DJI\d{3})")


def _with_option() -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(PROJECT.rglob("*.py")):
        rel = path.relative_to(PROJECT).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = WITH_OPTION.search(line)
            if match:
                found.add((rel, lineno, match.group(1)))
    return found


def test_constant_keys_are_left_out_by_default():
    want = expected(PROJECT)
    got = findings(run_flake8(PROJECT, "-j1", "."), PROJECT)
    assert got == want, f"missing: {sorted(want - got)}\nunexpected: {sorted(got - want)}"


def test_the_option_reports_constant_keys_again():
    extra = _with_option()
    assert {code for _, _, code in extra} == {"DJI003", "DJI007"}
    want = expected(PROJECT) | extra
    got = findings(run_flake8(PROJECT, "-j1", "--dji-lint-install-once", "."), PROJECT)
    assert got == want, f"missing: {sorted(want - got)}\nunexpected: {sorted(got - want)}"


def test_the_option_is_read_from_the_config_file(tmp_path):
    import shutil

    copy = tmp_path / "constant_keys"
    shutil.copytree(PROJECT, copy)
    with open(copy / "setup.cfg", "a", encoding="utf-8") as cfg:
        cfg.write("dji-lint-install-once = true\n")
    got = findings(run_flake8(copy, "-j1", "--dji-no-cache", "."), copy)
    assert got == expected(PROJECT) | _with_option()
