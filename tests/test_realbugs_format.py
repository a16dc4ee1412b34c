"""Every real-bug benchmark case has the documented shape (no network: only the JSON is read)."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent / "benchmarks" / "realbugs"
CASE_FILES = sorted((BENCH / "cases").glob("*.json"))


def _caseformat():
    spec = importlib.util.spec_from_file_location("realbugs_caseformat", BENCH / "caseformat.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


caseformat = _caseformat()

GOOD = {
    "id": "somepkg-race", "code": "DJI003", "kind": "bug", "package": "somepkg",
    "buggy": {"version": "1.0", "dist": "somepkg-1.0.tar.gz", "sha256": "a" * 64,
              "root": "somepkg-1.0", "file": "somepkg/views.py", "function": "TagView.post"},
    "fixed": {"version": "1.1", "dist": "somepkg-1.1-py3-none-any.whl", "sha256": "b" * 64,
              "file": "somepkg/views.py", "function": "TagView.post"},
    "evidence": "https://example.org/issue/1", "note": "A race.",
}


def test_there_are_cases():
    assert CASE_FILES, "benchmarks/realbugs/cases/ holds no case"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_shape(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    assert caseformat.case_problems(case, path.stem) == []
    # the same facts, checked here without the module's help
    assert case["id"] == path.stem
    roles = ["buggy", "fixed"] if case["kind"] == "bug" else ["control"]
    for role in roles:
        entry = case[role]
        assert len(entry["sha256"]) == 64 and set(entry["sha256"]) <= set("0123456789abcdef")
        for key in ("file", "root"):
            if key in entry:
                assert not entry[key].startswith("/") and ".." not in entry[key].split("/")
        assert entry["function"].strip()


def test_ids_are_unique():
    ids = [json.loads(p.read_text(encoding="utf-8"))["id"] for p in CASE_FILES]
    assert len(ids) == len(set(ids))


def test_good_example_passes():
    assert caseformat.case_problems(GOOD, "somepkg-race") == []
    control = {k: v for k, v in GOOD.items() if k not in ("buggy", "fixed")}
    control.update(kind="control", control=GOOD["fixed"])
    assert caseformat.case_problems(control, "somepkg-race") == []


def _broken(path, value):
    case = copy.deepcopy(GOOD)
    *parents, last = path
    target = case
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return case


@pytest.mark.parametrize("path,value", [
    (("id",), "other-id"),
    (("code",), "E501"),
    (("kind",), "maybe"),
    (("evidence",), "see the issue"),
    (("note",), ""),
    (("fixed",), KeyError),
    (("buggy", "sha256"), "A" * 64),
    (("buggy", "sha256"), "a" * 63),
    (("buggy", "file"), "../etc/passwd.py"),
    (("buggy", "file"), "/abs/views.py"),
    (("buggy", "root"), "x/../.."),
    (("buggy", "file"), "somepkg/views.txt"),
    (("buggy", "function"), ""),
    (("buggy", "function"), "operations[two]"),
    (("buggy", "dist"), "../somepkg-1.0.tar.gz"),
    (("buggy", "version"), 1.0),
    (("buggy", "extra"), "x"),
    (("fixed", "version"), "1.0"),
])
def test_broken_case_is_rejected(path, value):
    assert caseformat.case_problems(_broken(path, value), "somepkg-race")


def _score_module():
    import sys
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("realbugs_score", BENCH / "score.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


SOURCE = '''\
class TagView:
    @decorated
    def post(self):
        a = 1
        return a

    def get(self):
        pass


def post():
    pass


class Migration:
    operations = [
        AddField(
            "a", "b"),
        AlterField("a", "c"),
    ]
'''


@pytest.mark.parametrize("function,expected", [
    ("TagView.post", (2, 5)),
    ("TagView", (1, 8)),
    ("post", (11, 12)),
    ("operations[0]", (17, 18)),
    ("operations[1]", (19, 19)),
    ("operations[2]", None),
    ("TagView.put", None),
    ("Nothing.post", None),
])
def test_scorer_finds_the_span_of_a_case_function(function, expected):
    assert _score_module().span(SOURCE, function) == expected


def _fetch_module():
    import sys
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("realbugs_fetch", BENCH / "fetch.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def _tar(path, members):
    import io
    import tarfile
    with tarfile.open(path, "w:gz") as tarred:
        for name, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tarred.addfile(info)
            else:
                info.size = 2
                tarred.addfile(info, io.BytesIO(b"x\n"))


def test_unpack_keeps_regular_files_and_skips_links(tmp_path):
    fetch = _fetch_module()
    archive = tmp_path / "pkg-1.0.tar.gz"
    _tar(archive, [("pkg-1.0/pkg/a.py", "file"), ("pkg-1.0/pkg/link.py", "link")])
    fetch.unpack(archive, tmp_path / "out")
    assert (tmp_path / "out" / "pkg-1.0" / "pkg" / "a.py").read_text() == "x\n"
    assert not (tmp_path / "out" / "pkg-1.0" / "pkg" / "link.py").exists()


@pytest.mark.parametrize("name", ["../evil.py", "pkg/../../evil.py", "/abs/evil.py"])
def test_unpack_refuses_members_outside_the_target(tmp_path, name):
    import zipfile
    fetch = _fetch_module()
    archive = tmp_path / "pkg-1.0.tar.gz"
    _tar(archive, [(name, "file")])
    with pytest.raises(fetch.FetchError):
        fetch.unpack(archive, tmp_path / "out")
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zipped:
        zipped.writestr(name, "x\n")
    with pytest.raises(fetch.FetchError):
        fetch.unpack(wheel, tmp_path / "out2")
    assert not (tmp_path / "evil.py").exists() and not (tmp_path.parent / "evil.py").exists()


def test_unpack_skips_links_in_a_wheel(tmp_path):
    import stat
    import zipfile
    fetch = _fetch_module()
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zipped:
        zipped.writestr("pkg/a.py", "x\n")
        link = zipfile.ZipInfo("pkg/link.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")
    fetch.unpack(wheel, tmp_path / "out")
    assert (tmp_path / "out" / "pkg" / "a.py").read_text() == "x\n"
    assert not (tmp_path / "out" / "pkg" / "link.py").exists()


class _FakeResponse:
    def __init__(self, status, payload=None, body=b""):
        self.status_code, self._payload, self._body = status, payload, body

    def json(self):
        return self._payload

    def iter_content(self, size):
        yield self._body


class _FakeSession:
    """Stands in for pip's session: one project with one file, no network."""

    def __init__(self, body, listed_sha):
        self.body, self.listed_sha, self.urls = body, listed_sha, []

    def get(self, url, **kwargs):
        self.urls.append(url)
        if url.endswith("/pkg/"):
            return _FakeResponse(200, {"files": [{
                "filename": "pkg-1.0.tar.gz", "url": "https://files.example/pkg-1.0.tar.gz",
                "hashes": {"sha256": self.listed_sha}}]})
        return _FakeResponse(200, body=self.body)


def test_download_checks_the_pinned_sha256(tmp_path):
    import hashlib
    fetch = _fetch_module()
    body = b"archive bytes"
    good = hashlib.sha256(body).hexdigest()
    session = _FakeSession(body, good)
    path = fetch.download(session, "pkg", "pkg-1.0.tar.gz", good, tmp_path, {})
    assert path.read_bytes() == body
    # a second call finds the file and asks nothing
    calls = len(session.urls)
    fetch.download(session, "pkg", "pkg-1.0.tar.gz", good, tmp_path, {})
    assert len(session.urls) == calls


def test_download_refuses_a_file_whose_hash_differs(tmp_path):
    import hashlib
    fetch = _fetch_module()
    pinned = hashlib.sha256(b"what the case pinned").hexdigest()
    # the index agrees with the pin but serves other bytes
    with pytest.raises(fetch.FetchError):
        fetch.download(_FakeSession(b"tampered", pinned), "pkg", "pkg-1.0.tar.gz", pinned,
                       tmp_path, {})
    assert list(tmp_path.iterdir()) == []
    # the index lists another hash than the case pins
    with pytest.raises(fetch.FetchError):
        fetch.download(_FakeSession(b"x", "0" * 64), "pkg", "pkg-1.0.tar.gz", pinned,
                       tmp_path, {})
