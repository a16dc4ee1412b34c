"""Every message's first clause says the problem in under 80 characters; the model, field and
fix follow (issue 12, messages.py).  The clause ends at the first ": ", "; " or " — "; the
length is the text's that flake8 prints after the code."""

from __future__ import annotations

import string
import subprocess

import pytest

from flake8_django_integrity.messages import (
    DJI005_DETAILS,
    FIRST_CLAUSE_LIMIT,
    MESSAGES,
    first_clause,
)

from harness import FIXTURES, expected, findings, fixture_projects, run_flake8

TEXT_FORMAT = "%(path)s\t%(row)d\t%(code)s\t%(text)s"


def test_first_clause_ends_at_the_first_colon_semicolon_or_dash():
    assert first_clause("race on Tag: exists(); use x") == "race on Tag"
    assert first_clause("one; two: three") == "one"
    assert first_clause("one — two: three") == "one"
    assert first_clause("atomic():` inside") == "atomic():` inside"  # ":`" ends nothing
    assert first_clause("no end at all") == "no end at all"


@pytest.mark.parametrize("name", fixture_projects())
def test_every_message_of_a_fixture_project_opens_with_a_short_problem(name):
    project = FIXTURES / name
    result = run_flake8(project, "-j1", f"--format={TEXT_FORMAT}", ".")
    lines = [line.split("\t", 3) for line in result.stdout.splitlines() if line.strip()]
    # every finding the fixture expects was read, text and all (none is skipped unread)
    read = subprocess.CompletedProcess(result.args, result.returncode,
                                       "".join(f"{p}\t{r}\t{c}\n" for p, r, c, _ in lines),
                                       result.stderr)
    assert findings(read, project) == expected(project)
    long = []
    for path, row, code, text in lines:
        clause = first_clause(text)
        if len(clause) >= FIRST_CLAUSE_LIMIT or clause == text:
            long.append(f"{path}:{row} {code} ({len(clause)}): {text}")
    assert long == [], "\n".join(long)


def _placeholder_values(template: str, length: int) -> dict[str, str]:
    return {field: "X" * length for _, field, _, _ in string.Formatter().parse(template) if field}


# "DJInnn {detail}" is worded by the rule (DJI002, DJI004, DJI005's details below): the fixture
# projects' messages above check those.
TEMPLATES = [t for t in MESSAGES.values() if not t.endswith(" {detail}")] + list(
    DJI005_DETAILS.values())


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_templates_first_clause_stays_short_whatever_the_names(template):
    """With every field 30 characters long (a long model name), the first clause stays under
    the limit: it holds one name at most."""
    text = template.format(**_placeholder_values(template, 30))
    text = text.split(" ", 1)[1] if text.startswith("DJI") else text  # flake8's text
    assert len(first_clause(text)) < FIRST_CLAUSE_LIMIT, text
