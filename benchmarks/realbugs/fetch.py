"""Download and unpack every published file the real-bug cases name, checked by sha256.

    python benchmarks/realbugs/fetch.py [--cache DIR] [--cases DIR ...]
    python benchmarks/realbugs/fetch.py --show PACKAGE VERSION   # a release's files, sha256

Each distribution is fetched from PyPI with pip's own network client (pip's configuration:
certificates, index URL) as the exact file the case names; its sha256 must match both the
index's and the case's pin.  Archives are unpacked by reading them (zip / tar), never by pip
or setup.py: no code of the package runs.  Members that would land outside the target folder
(absolute paths, '..', links, devices) are refused.  Running it twice downloads nothing twice.

Cache layout (default ~/.cache/dji-realbugs, or --cache / $DJI_REALBUGS_CACHE):
    DIR/dists/<dist>          the downloaded file
    DIR/unpacked/<dist>/      its contents; a '.complete' marker is written last
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import stat
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))
from caseformat import entries, load_cases  # noqa: E402

DEFAULT_CACHE = Path(os.environ.get("DJI_REALBUGS_CACHE", "~/.cache/dji-realbugs")).expanduser()
INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
MAX_MEMBER_BYTES = 64 * 1024 * 1024
COMPLETE = ".complete"


class FetchError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _session():
    try:
        from pip._internal.network.session import PipSession
    except ImportError as exc:  # pip moved its internals: say so rather than guess
        raise FetchError(f"cannot use pip's network client ({exc}); upgrade or pin pip") from exc
    session = PipSession(retries=3)
    cert = os.environ.get("PIP_CERT")
    if cert:
        session.verify = cert
    return session


def _normalise(name: str) -> str:
    return "-".join(name.replace("_", "-").replace(".", "-").lower().split("-"))


def release_files(session, package: str) -> dict[str, dict]:
    """{file name: {"url", "sha256"}} of every file of a project, from the simple index."""
    url = f"{INDEX}/{_normalise(package)}/"
    response = session.get(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"},
                           timeout=120)
    if response.status_code != 200:
        raise FetchError(f"{url}: HTTP {response.status_code}")
    files = {}
    for item in response.json().get("files", []):
        files[item["filename"]] = {"url": item["url"],
                                   "sha256": item.get("hashes", {}).get("sha256")}
    return files


def download(session, package: str, dist: str, sha256: str, dists_dir: Path,
             listing_cache: dict) -> Path:
    target = dists_dir / dist
    if target.is_file() and sha256_of(target) == sha256:
        return target
    if package not in listing_cache:
        listing_cache[package] = release_files(session, package)
    info = listing_cache[package].get(dist)
    if info is None:
        raise FetchError(f"{package}: no file {dist} on the index")
    if info["sha256"] and info["sha256"] != sha256:
        raise FetchError(f"{dist}: the index says sha256 {info['sha256']}, the case pins {sha256}")
    dists_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dists_dir, delete=False, suffix=".part") as handle:
        part = Path(handle.name)
        try:
            response = session.get(info["url"], stream=True, timeout=300)
            if response.status_code != 200:
                raise FetchError(f"{info['url']}: HTTP {response.status_code}")
            for chunk in response.iter_content(1 << 16):
                handle.write(chunk)
        except BaseException:
            handle.close()
            part.unlink(missing_ok=True)
            raise
    got = sha256_of(part)
    if got != sha256:
        part.unlink(missing_ok=True)
        raise FetchError(f"{dist}: downloaded sha256 {got}, the case pins {sha256}")
    part.replace(target)
    return target


def _safe_member(name: str) -> PurePosixPath | None:
    """The member's relative path, or None when it must not be written."""
    name = name.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        return None
    parts = [p for p in path.parts if p not in ("", ".")]
    return PurePosixPath(*parts) if parts else None


def _write(dest: Path, rel: PurePosixPath, source, size: int) -> None:
    if size > MAX_MEMBER_BYTES:
        raise FetchError(f"{rel}: member larger than {MAX_MEMBER_BYTES} bytes")
    out = dest.joinpath(*rel.parts)
    if not out.resolve().is_relative_to(dest.resolve()):
        raise FetchError(f"{rel}: would be written outside {dest}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as handle:
        shutil.copyfileobj(source, handle)


def unpack(archive: Path, dest: Path) -> None:
    """Extract regular files only; refuse any member that escapes dest."""
    if archive.name.endswith(".whl") or archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                kind = stat.S_IFMT(info.external_attr >> 16)
                if info.is_dir() or kind not in (0, stat.S_IFREG):  # links, devices: skipped
                    continue
                rel = _safe_member(info.filename)
                if rel is None:
                    raise FetchError(f"{archive.name}: unsafe member {info.filename!r}")
                with zipped.open(info) as source:
                    _write(dest, rel, source, info.file_size)
        return
    with tarfile.open(archive, "r:*") as tarred:
        for member in tarred:
            if not member.isfile():  # dirs are made as needed; links, devices, fifos skipped
                continue
            rel = _safe_member(member.name)
            if rel is None:
                raise FetchError(f"{archive.name}: unsafe member {member.name!r}")
            source = tarred.extractfile(member)
            if source is not None:
                _write(dest, rel, source, member.size)


def fetch_entries(cases: list[dict], cache: Path = DEFAULT_CACHE, log=print) -> dict[str, Path]:
    """{dist: unpacked folder} for every file the cases name; raises FetchError on a bad one."""
    wanted = {}
    for case in cases:
        for _role, entry in entries(case):
            known = wanted.setdefault(entry["dist"], (case["package"], entry["sha256"]))
            if known[1] != entry["sha256"]:
                raise FetchError(f"{entry['dist']}: two cases pin different sha256")
    session, listings, result = None, {}, {}
    for dist, (package, sha256) in sorted(wanted.items()):
        folder = cache / "unpacked" / dist
        marker = folder / COMPLETE
        if marker.is_file() and marker.read_text().strip() == sha256:
            result[dist] = folder
            continue
        if session is None:
            session = _session()
        log(f"fetching {dist}")
        archive = download(session, package, dist, sha256, cache / "dists", listings)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        unpack(archive, folder)
        (folder / COMPLETE).write_text(sha256 + "\n")
        result[dist] = folder
    return result


def show(package: str, version: str) -> int:
    """Print the files of one release with their sha256 (to write a case)."""
    files = release_files(_session(), package)
    norm = _normalise(package).replace("-", "_")
    found = 0
    for name, info in sorted(files.items()):
        stem = name.lower().replace("-", "_")
        if stem.startswith(f"{norm}_{version}".lower().replace("-", "_")) and (
                stem[len(norm) + 1 + len(version):][:1] in ("", "_", ".")):
            print(f"{name}  {info['sha256']}")
            found += 1
    if not found:
        print(f"no file of {package} {version} on the index", file=sys.stderr)
    return 0 if found else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--cases", type=Path, action="append",
                        help="a folder of case files (repeatable; default: cases/ here)")
    parser.add_argument("--show", nargs=2, metavar=("PACKAGE", "VERSION"))
    args = parser.parse_args(argv)
    if args.show:
        return show(*args.show)
    cases = load_cases(*(args.cases or []))
    folders = fetch_entries(cases, args.cache)
    print(f"{len(folders)} distributions ready under {args.cache / 'unpacked'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
