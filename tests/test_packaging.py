"""The package an index accepts: the sdist and the wheel that `python -m build` makes, their
metadata (SPDX licence expression, name, version, requires-python, checked by twine), and an
sdist that holds what its own tests need (docs, examples, schemas, tests and their data).

Building takes a few seconds and fetches the build backend: `-m 'not packaging'` deselects it.
"""

from __future__ import annotations

import email.parser
import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt, byte for byte.
APACHE_2_0 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"


def version() -> str:
    match = re.fullmatch(r'__version__ = "([^"]+)"\n', (ROOT / "policycheck" / "_version.py").read_text())
    assert match, "policycheck/_version.py holds only the version"
    return match.group(1)


def test_the_license_is_the_apache_2_0_text() -> None:
    assert hashlib.sha256((ROOT / "LICENSE").read_bytes()).hexdigest() == APACHE_2_0


def test_one_version_source() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "policycheck._version.__version__" }' in pyproject
    assignments = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "policycheck").rglob("*.py")
        if re.search(r"^__version__\s*=", p.read_text(encoding="utf-8"), re.M)
    ]
    assert assignments == ["policycheck/_version.py"]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{version()}]" in changelog and "## [Unreleased]" in changelog


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if importlib.util.find_spec("build") is None:
        pytest.skip("the build tool is not installed (pip install build, or the test extras)")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def metadata(text: str) -> email.message.Message:
    return email.parser.Parser().parsestr(text)


def sdist_names(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    top = f"policycheck-{version()}/"
    assert all(n == top.rstrip("/") or n.startswith(top) for n in names)
    return {n[len(top) :] for n in names if n.startswith(top)}


@pytest.mark.packaging
def test_the_file_names(dists: tuple[Path, Path]) -> None:
    sdist, wheel = dists
    assert sdist.name == f"policycheck-{version()}.tar.gz"
    assert wheel.name == f"policycheck-{version()}-py3-none-any.whl"


@pytest.mark.packaging
@pytest.mark.parametrize("kind", ["sdist", "wheel"])
def test_the_metadata(dists: tuple[Path, Path], kind: str) -> None:
    sdist, wheel = dists
    if kind == "sdist":
        with tarfile.open(sdist) as tar:
            member = tar.extractfile(f"policycheck-{version()}/PKG-INFO")
            assert member is not None
            meta = metadata(member.read().decode())
    else:
        with zipfile.ZipFile(wheel) as whl:
            meta = metadata(whl.read(f"policycheck-{version()}.dist-info/METADATA").decode())
    assert meta["Name"] == "policycheck"
    assert meta["Version"] == version()
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None, "the SPDX expression replaces the free-text License field"
    assert meta["Requires-Python"] == ">=3.10"
    assert tuple(int(p) for p in meta["Metadata-Version"].split(".")) >= (2, 4)
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "policycheck check" in meta.get_payload()


@pytest.mark.packaging
def test_twine_accepts_both(dists: tuple[Path, Path]) -> None:
    if importlib.util.find_spec("twine") is None:
        pytest.skip("twine is not installed (pip install twine, or the test extras)")
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


@pytest.mark.packaging
def test_the_sdist_holds_what_its_tests_need(dists: tuple[Path, Path]) -> None:
    names = sdist_names(dists[0])
    for path in (
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "pyproject.toml",
        "action.yml",
        ".pre-commit-hooks.yaml",
        "scripts/action/run.sh",
        "scripts/action/comment.sh",
        "docs/ci.md",
        "docs/examples/policy-full.yaml",
        "policies/examples/cloudsuite/export.yaml",
        "policies/examples/cloudsuite-fixed/export.yaml",
        "policies/examples/infor/GL-Integration_PRD.ionapi",
        "schemas/policy-v1.schema.json",
        "tests/test_packaging.py",
        "tests/data/vendor-schemas/SOURCES.md",
        "tests/data/vendor-schemas/github-action.schemastore.json",
        "tests/oidc/package-lock.json",
        "policycheck/_version.py",
    ):
        assert path in names, path
    assert not [n for n in names if "node_modules" in n or "__pycache__" in n or n.startswith(".venv")]


@pytest.mark.packaging
def test_the_sdist_has_every_tracked_file_the_tests_read(dists: tuple[Path, Path]) -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout (an unpacked sdist): the file list above is the check")
    tracked = subprocess.run(
        ["git", "ls-files", "docs", "policies", "schemas", "tests", "scripts", "policycheck"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()  # one path a line: Auth0's directory format names files "GL API.json"
    missing = sorted(set(tracked) - sdist_names(dists[0]))
    assert missing == []


@pytest.mark.packaging
def test_the_wheel_holds_the_package_and_its_schemas(dists: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(dists[1]) as whl:
        names = set(whl.namelist())
    assert f"policycheck-{version()}.dist-info/licenses/LICENSE" in names
    assert "policycheck/schemas/policy-v1.schema.json" in names
    assert "policycheck/cli.py" in names
    assert {n.split("/")[0] for n in names} == {"policycheck", f"policycheck-{version()}.dist-info"}
