"""Slow: no exception from check() with every code on any file of the corpus.  Skipped unless
DJI_CORPUS names the corpus folder (../shared/corpus/get_corpus.sh DIR fills it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

CORPUS = os.environ.get("DJI_CORPUS")


@pytest.mark.skipif(not CORPUS, reason="set DJI_CORPUS to the corpus folder to run")
def test_no_exception_on_the_corpus():
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import scale

    corpus = Path(CORPUS)
    projects = sorted(p.name for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    failures = scale.run(corpus, projects, probe=True, use_cache=False, out=lambda *a: None)
    assert not failures, "\n".join(failures[:5])
