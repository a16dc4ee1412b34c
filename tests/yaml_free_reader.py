"""Read the flat list-of-mappings YAML of .pre-commit-hooks.yaml without a YAML library
(the test environment need not have one): ``- key: value`` items, scalars and ``[a, b]`` lists."""

from __future__ import annotations

from pathlib import Path


def _scalar(text: str):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(t) for t in text[1:-1].split(",") if t.strip()]
    if text in ("true", "false"):
        return text == "true"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def read(path: Path) -> list[dict]:
    items: list[dict] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        line = raw
        if line.startswith("- "):
            items.append({})
            line = line[2:]
        key, _, value = line.strip().partition(":")
        items[-1][key.strip()] = _scalar(value)
    return items
