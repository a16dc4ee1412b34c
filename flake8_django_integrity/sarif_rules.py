"""``python -m flake8_django_integrity sarif-rules``: our rules' descriptions in a SARIF log.

A flake8 formatter sees a finding's code and message, nothing about the rule behind it, so the
SARIF that flake8-sarif writes names each rule by its bare code (``DJI003``), and that is all
GitHub code scanning can show.  This step reads such a log (SARIF 2.1.0, from a file or stdin)
and, in every run, describes each rule whose id is one of our codes (``DJI003``, or a
formatter's prefixed ``flake8/DJI003``) from the code's doc page (rule_docs.py):

- ``name``: the short name (``check-then-insert``);
- ``shortDescription``: the page's title (what GitHub shows as the alert's title);
- ``fullDescription``: the first paragraph of "Why is this bad?";
- ``help``: the whole page (markdown), shown under the alert;
- ``helpUri``: only with ``--help-uri TEMPLATE`` (``{code}``, ``{name}``, ``{version}``);
- ``properties.addedIn``: the version the rule was added in.

A result whose ``ruleId`` is one of our codes but whose rule is missing from the run's
``tool.driver.rules`` gets one there (and its ``ruleIndex``).  Everything else in the log, other
tools' rules included, is written back as it was read.  A code without a page is left as is.

Reading and writing SARIF is sarif-pydantic's (the optional ``[sarif]`` extra, never a
dependency of the plugin), imported from the Python installation only: this command runs in
the linted checkout, whose folders come first on ``sys.path`` under ``python -m``.
"""

from __future__ import annotations

import re
import sys

from . import __version__, _import_from_installation, _installation_path, rule_docs

LIBRARY = "sarif_pydantic"
EXIT_ERROR = 2
# A rule id that is one of our codes: bare, or after a tool's prefix (``flake8/DJI003``).
_RULE_ID = re.compile(r"(?:.*/)?(DJI\d{3})\Z")
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/]+\S*\Z")
_TEMPLATE_FIELDS = ("code", "name", "version")


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "sarif-rules",
        help="describe the DJI rules of a SARIF log (flake8 --format=sarif) from their doc pages")
    parser.add_argument("input", nargs="?", default="-",
                        help="the SARIF file to read (default: standard input)")
    parser.add_argument("-o", "--output", default="-",
                        help="where to write the log (default: standard output; may be the input)")
    parser.add_argument("--help-uri", metavar="TEMPLATE",
                        help="each rule's help link, an absolute URI with {code}, {name} or "
                             "{version}, e.g. https://example.org/rules/{code}.html")


def run(args, out) -> int:
    if args.help_uri is not None:
        problem = _template_problem(args.help_uri)
        if problem:
            print(f"error: --help-uri: {problem}", file=sys.stderr)
            return EXIT_ERROR
    try:
        if args.input == "-":
            text = sys.stdin.read()
        else:
            with open(args.input, encoding="utf-8") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read {args.input}: {error}", file=sys.stderr)
        return EXIT_ERROR
    saved = sys.path[:]
    try:
        # The library and whatever it imports later, from the installation only.
        sys.path[:] = _installation_path(saved)
        _import_from_installation([LIBRARY])
        library = sys.modules.get(LIBRARY)
        if library is None:
            print(f"error: sarif-rules needs {LIBRARY.replace('_', '-')}: "
                  'pip install "flake8-django-integrity[sarif]"', file=sys.stderr)
            return EXIT_ERROR
        try:
            log = library.Sarif.model_validate_json(text)
        except ValueError as error:  # pydantic's ValidationError is a ValueError
            first = str(error).strip().splitlines()[:3]
            print(f"error: {args.input}: not a SARIF log: {' '.join(first)}", file=sys.stderr)
            return EXIT_ERROR
        describe_rules(log, library, args.help_uri)
        result = log.model_dump_json(by_alias=True, exclude_unset=True, indent=2)
    finally:
        sys.path[:] = saved
    if args.output == "-":
        out.write(result + "\n")
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(result + "\n")
    except OSError as error:
        print(f"error: cannot write {args.output}: {error}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _template_problem(template: str) -> str:
    try:
        uri = template.format(**{field: "x" for field in _TEMPLATE_FIELDS})
    except (KeyError, IndexError, ValueError) as error:
        return f"{template!r} is not a template of {', '.join(_TEMPLATE_FIELDS)} ({error!r})"
    if not _ABSOLUTE_URI.match(uri):
        return f"{template!r} is not an absolute URI (scheme://host/...)"
    return ""


def describe_rules(log, library, help_uri: str | None) -> None:
    """Fill in, in place, the descriptions of our rules in every run of ``log`` (a
    ``library.Sarif``)."""
    for run_ in log.runs:
        driver = run_.tool.driver
        rules = list(driver.rules or [])
        index = {rule.id: i for i, rule in enumerate(rules)}
        added: set[str] = set()
        for result in run_.results or []:
            rule_id = result.rule_id
            if rule_id is None or result.rule_index is not None or not _RULE_ID.match(rule_id):
                continue  # (a result with a ruleIndex already points at its rule)
            if rule_id not in index:
                index[rule_id] = len(rules)
                rules.append(library.ReportingDescriptor(id=rule_id))
                added.add(rule_id)
            if rule_id in added:
                result.rule_index = index[rule_id]
        for rule in rules:
            match = _RULE_ID.match(rule.id)
            page = rule_docs.page(match.group(1)) if match else None
            if page is not None:
                _describe(rule, page, library, help_uri)
        if rules or driver.rules is not None:
            driver.rules = rules


def _describe(rule, page: rule_docs.RulePage, library, help_uri: str | None) -> None:
    rule.name = page.name
    rule.short_description = library.Message(text=page.title)
    why = page.why or page.title
    rule.full_description = library.Message(text=why, markdown=why)
    rule.help = library.Message(text=page.text, markdown=page.text)
    if help_uri is not None:
        rule.help_uri = help_uri.format(code=page.code, name=page.name, version=__version__)
    properties = dict(rule.properties or {})
    properties["addedIn"] = page.added
    rule.properties = properties
