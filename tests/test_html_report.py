"""The HTML review page: goldens, a self-contained page, escaping, and a real headless browser.

Goldens are rewritten only with POLICYCHECK_UPDATE_GOLDENS=1. The browser tests run
Debian's Chromium headless on the file:// URL: `--dump-dom` gives the DOM after the
page's script ran (the matrix built from the embedded JSON, filtered and sorted by
the URL fragment), `--screenshot` a PNG in tests/artifacts/ (gitignored) for a human.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from policycheck.engine import Selection, run
from policycheck.findings import (
    Cell,
    Change,
    Checked,
    Finding,
    Holding,
    Location,
    Result,
    Severity,
    TokenSummary,
    Waived,
)
from policycheck.loading.inputs import load_model
from policycheck.reporters import REVIEW_FORMATS
from policycheck.reporters.html import render

HERE = Path(__file__).parent
ROOT = HERE.parent
EXAMPLES = ROOT / "policies" / "examples"
ARTIFACTS = HERE / "artifacts"
UPDATE = os.environ.get("POLICYCHECK_UPDATE_GOLDENS") == "1"
TODAY = date(2026, 11, 29)
HOSTILE = "<img src=x onerror=alert(1)>"
CLOSER = "</script><script>document.title='pwned'</script>"

WAIVERS = """\
apiVersion: policycheck/v1
kind: Waivers
waivers:
  - rule: environment-non-parity
    application: compliance-sync
    environment: prod
    reason: prod is read-only until the restructuring review (SEC-1234)
    owner: it-security@example.com
    expires: 2026-12-31
"""


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """The CloudSuite story as `policycheck check --format html` sees it (one waiver, to show one)."""
    shutil.copytree(EXAMPLES / "cloudsuite", tmp_path / "gw")
    (tmp_path / "waivers.yaml").write_text(WAIVERS)
    monkeypatch.chdir(tmp_path)
    model = load_model(["gw"], waiver_files=["waivers.yaml"])
    return run(model, Selection(), TODAY)


@pytest.fixture
def story_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """`policycheck diff`: before = the fixed export, after = the restructured one."""
    shutil.copytree(EXAMPLES / "cloudsuite-fixed", tmp_path / "before")
    shutil.copytree(EXAMPLES / "cloudsuite", tmp_path / "after")
    monkeypatch.chdir(tmp_path)
    policy = ["after/policy.yaml"]
    before = load_model(policy, exports=["before/export.yaml"])
    after = load_model(policy, exports=["after/export.yaml"])
    return run(after, Selection(select=("PC301", "PC302")), TODAY, before=before)


def hostile() -> Result:
    """Every input-derived field that the page shows, carrying markup."""
    app, env, op, perm = HOSTILE, "prod<q>", "op&<x>", f"perm {CLOSER}"
    finding = Finding("PC101", "missing-grant", Severity.ERROR, Location(f"{HOSTILE}.yaml", 3, 5), CLOSER,
                      f"fix {HOSTILE}", app, env, op)  # fmt: skip
    waived = Waived(finding, f"reason {HOSTILE}", "owner<x>", "2026-12-31", Location("w<aiver>.yaml", 1, 1))
    token = TokenSummary(f"label {HOSTILE}", "abc<def", False, None, "RS256", "kid<", "https://issuer.example/<x>",
                         ("aud<",), app, "sub<", None, (perm,), app, env)  # fmt: skip
    return Result(
        (finding,),
        Checked(1, 1, 2, 2, 1, ("a.yaml",), ((app, ("test", env), (op, "read", "undefined")),)),
        waived=(waived,),
        tokens=(token,),
        matrix=(
            Cell(app, "test", op, "allowed", ()),
            Cell(app, "test", "read", "allowed", ()),
            Cell(app, env, op, "missing", (perm, "other")),
            Cell(app, env, "read", "filtered", ("read",)),
        ),
        holdings=(Holding(app, env, ("read",), ("test",)), Holding(app, "test", ("read", perm), (env,))),
        changes=(Change(app, env, (op,), ("read",), ((perm, f"chain {HOSTILE}"),), ("new<x>",)),),
    )


def golden(name: str, actual: str) -> str:
    path = HERE / "golden" / name
    if UPDATE:
        path.write_text(actual)
    return path.read_text()


def test_review_formats_ask_the_engine_for_the_matrix() -> None:
    assert {"html", "review"} <= REVIEW_FORMATS


def test_story_golden(story: Result) -> None:
    out = render(story)
    assert out == golden("story.html", out)
    assert render(story) == out  # deterministic


def test_story_diff_golden(story_diff: Result) -> None:
    assert story_diff.changes
    out = render(story_diff)
    assert out == golden("story-diff.html", out)
    assert render(story_diff) == out


class Page(HTMLParser):
    """Every tag with its attributes, the text of <script> blocks, and the rows of the matrix table."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.rows: list[tuple[dict[str, str | None], list[str]]] = []
        self.matrix: dict[str, str | None] | None = None
        self._script: dict[str, str | None] | None = None
        self._in_matrix = self._in_body = False
        self._text: list[str] = []
        self.title = ""
        self.text = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("script", "title"):
            self._script, self._text = (a if tag == "script" else None), []
        elif tag == "table" and a.get("id") == "matrix-table":
            self.matrix, self._in_matrix = a, True
        elif self._in_matrix and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append((a, []))
        elif self._in_body and tag == "td":
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None
        elif tag == "table" and self._in_matrix:
            self._in_matrix = self._in_body = False
        elif self._in_body and tag == "td":
            self.rows[-1][1].append("".join(self._text).strip())
        elif tag == "title":
            self.title = "".join(self._text)

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        self.text += data


def matrix_cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's matrix data as cells: the problem cells in full, the allowed ones by index."""
    names = data["names"]
    apps, ops, envs = names["applications"], names["operations"], names["environments"]
    out = [
        {"application": apps[a], "operation": ops[o], "environment": envs[e], "status": status, "missing": missing,
         "change": change}
        for a, o, e, status, missing, change in data["cells"]
    ]  # fmt: skip
    out += [
        {"application": apps[a], "operation": ops[o], "environment": envs[e], "status": "allowed", "missing": [],
         "change": None}
        for a, e, allowed in data["allowed"]
        for o in allowed
    ]  # fmt: skip
    return out


@pytest.mark.parametrize("which", ["story", "story_diff"])
def test_the_page_loads_nothing(which: str, request: pytest.FixtureRequest) -> None:
    out = render(request.getfixturevalue(which))
    page = Page(out)
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe", "frame", "object", "embed", "base", "audio", "video", "source")
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", out, re.I)
    assert "@import" not in out and "url(" not in out
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    # the one executable script is exactly the one the CSP allows by hash
    code = [text for attrs, text in page.scripts if attrs.get("type") is None]
    assert len(code) == 1
    digest = base64.b64encode(hashlib.sha256(code[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "innerHTML" not in code[0] and "eval(" not in code[0]


def test_story_page_says_what_a_reviewer_needs(story: Result) -> None:
    out = render(story)
    errors = story.count(Severity.ERROR)
    assert (
        story.waived and f"policycheck 0.1.0 · {errors} errors, 1 waived;" in out and "<strong>1</strong> waived" in out
    )
    assert "UNVERIFIED" not in out
    data = json.loads(Page(out).scripts[0][1])
    assert len(matrix_cells(data)) == len(story.matrix) == data["total"] == 6
    assert {c["status"] for c in matrix_cells(data)} == {"allowed", "gap"}
    assert [c[3] for c in data["cells"]] == ["gap", "gap"]  # only problems in full; allowed by index
    assert "parity difference: test ≠ prod" in out
    assert 'class="waived"' in out and "prod is read-only until the restructuring review" in out
    assert all(html.escape(f.fix) in out and html.escape(f.message) in out for f in story.findings)
    assert 'id="changes"' not in out and 'id="tokens"' not in out


def test_story_diff_page_shows_the_chain_that_changed(story_diff: Result) -> None:
    out = render(story_diff)
    assert "What the new export changes" in out and "Access matrix after the change" in out
    assert "loses operation" in out and "gl.journal-entries.post" in out
    assert "prod no longer inherits base, where permission set &#x27;GL Journal Posting&#x27; is mapped" in out
    data = json.loads(Page(out).scripts[0][1])
    lost = {(c["environment"], c["operation"]) for c in matrix_cells(data) if c["change"] == "lost"}
    assert lost == {("prod", "gl.journal-entries.create"), ("prod", "gl.journal-entries.post")}


def test_an_empty_diff_says_so(story_diff: Result) -> None:
    from policycheck.records import replace

    out = render(replace(story_diff, changes=()))
    assert "The new export changes no bound access" in out


def test_hostile_names_are_escaped_everywhere() -> None:
    out = render(hostile())
    assert HOSTILE not in out and "<q>" not in out and "<x>" not in out and CLOSER not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    page = Page(out)
    assert [t for t, _ in page.tags].count("script") == 2
    assert not any(t in ("img", "q", "x") for t, _ in page.tags)
    block = page.scripts[0][1]
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)  # the JSON keeps the names exactly, for textContent
    assert data["names"]["applications"][0] == HOSTILE
    assert f"perm {CLOSER}" in data["cells"][0][4]
    assert "Bound but not evaluated" in out and "<code>undefined</code></p>" in out  # bound, not in the matrix
    assert "UNVERIFIED" in out  # the token was decoded without verifying its signature


def test_no_matrix_is_said_plainly() -> None:
    out = render(Result((), Checked()))
    assert "No access matrix" in out and 'id="matrix-data"' not in out and "No findings." in out


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
_chromium_installed = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium; .ci/run installs it)"
)


def needs_chromium(test: Any) -> Any:
    """A browser test: skipped without Chromium, and marked `browser` (.ci/run leaves it to the main Python)."""
    return pytest.mark.browser(_chromium_installed(test))


FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass
class Browser:
    tmp: Path
    runs: list[list[str]] = field(default_factory=list)

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert CHROMIUM is not None
        cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={self.tmp / 'profile'}", *args]
        self.runs.append(cmd)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return done

    def dom(self, page: Path, suffix: str = "") -> Page:
        return Page(self("--dump-dom", page.as_uri() + suffix).stdout)


@pytest.fixture
def browser(tmp_path: Path) -> Browser:
    return Browser(tmp_path)


def write(result: Result, tmp_path: Path, name: str = "report.html") -> Path:
    path = tmp_path / name
    path.write_text(render(result), encoding="utf-8")
    return path


def visible(page: Page) -> list[list[str]]:
    return [cells for attrs, cells in page.rows if "hidden" not in attrs]


@needs_chromium
def test_browser_builds_the_matrix_from_the_embedded_json(story: Result, browser: Browser, tmp_path: Path) -> None:
    page = browser.dom(write(story, tmp_path))
    assert ("html", {"lang": "en", "data-ready": "1"}) in page.tags  # the script ran under the CSP
    assert page.matrix is not None
    assert page.matrix["data-source"] == "json"
    # problems first; the row where every call is allowed is collapsed until "allowed" is ticked
    assert (page.matrix["data-cells"], page.matrix["data-rows"], page.matrix["data-visible-rows"]) == ("6", "3", "2")
    create = "⊘ gap missing: General Ledger - Journal Entry Create, Financial Management - Transaction Write, " \
        "General Ledger - Journal Entry Post"  # fmt: skip
    assert visible(page) == [
        ["compliance-sync", "gl.journal-entries.create", "✓ allowed", create],
        [
            "compliance-sync",
            "gl.journal-entries.post",
            "✓ allowed",
            "⊘ gap missing: General Ledger - Journal Entry Post",
        ],
    ]
    assert "1 row where every call is allowed is collapsed: tick allowed to show" in page.text
    titles = [a.get("title") or "" for t, a in page.tags if t == "td" and a.get("data-status") == "gap"]
    assert titles and "General Ledger - Journal Entry Create" in titles[0] and "missing (3):" in titles[0]
    form = next(a for t, a in page.tags if t == "form")
    assert "hidden" not in form  # the filter controls show once the script runs


@needs_chromium
@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        ("#filter=gap", ["gl.journal-entries.create", "gl.journal-entries.post"]),
        ("#filter=pending", []),
        ("#filter=missing", []),
        ("?filter=pending,gap", ["gl.journal-entries.create", "gl.journal-entries.post"]),
        ("#q=journal%20entry%20post", ["gl.journal-entries.create", "gl.journal-entries.post"]),
        ("#filter=allowed&q=list", ["gl.journal-entries.list"]),
        ("#filter=allowed,gap", ["gl.journal-entries.create", "gl.journal-entries.post", "gl.journal-entries.list"]),
    ],
)
def test_browser_filters_from_the_url(
    suffix: str, expected: list[str], story: Result, browser: Browser, tmp_path: Path
) -> None:
    page = browser.dom(write(story, tmp_path), suffix)
    assert [cells[1] for cells in visible(page)] == expected
    assert page.matrix is not None and page.matrix["data-visible-rows"] == str(len(expected))
    assert len(page.rows) == len(expected)  # the page holds the matching rows only


@needs_chromium
def test_browser_sorts_from_the_url(story: Result, browser: Browser, tmp_path: Path) -> None:
    path = write(story, tmp_path)
    page = browser.dom(path, "#sort=operation&order=desc&filter=allowed,gap")
    assert [cells[1] for _, cells in page.rows] == [
        "gl.journal-entries.post",
        "gl.journal-entries.list",
        "gl.journal-entries.create",
    ]
    assert page.matrix is not None and page.matrix["data-sort"] == "operation descending"
    sorted_by = [a.get("aria-sort") for t, a in page.tags if t == "th" and a.get("aria-sort") is not None]
    assert sorted_by == ["none", "descending", "none", "none"]
    worst_first = browser.dom(path, "#sort=prod&filter=allowed,gap")
    assert [cells[3][:5] for _, cells in worst_first.rows] == ["⊘ gap", "⊘ gap", "✓ all"]


@needs_chromium
def test_browser_keeps_hostile_names_as_text(browser: Browser, tmp_path: Path) -> None:
    page = browser.dom(write(hostile(), tmp_path), "#filter=missing")
    assert not any(t == "img" for t, _ in page.tags)
    assert ("html", {"lang": "en", "data-ready": "1"}) in page.tags
    missing = f"✗ missing missing: perm {CLOSER}, other lost: allowed before"
    assert visible(page) == [[HOSTILE, "op&<x>", "✓ allowed", missing]]
    assert page.title.startswith("policycheck diff review: ")  # no injected script set it


@needs_chromium
def test_browser_screenshot_for_a_human(story: Result, browser: Browser, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "html-report.png"
    png.unlink(missing_ok=True)
    browser(f"--screenshot={png}", "--window-size=1400,1000", write(story, tmp_path).as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 1000)
    assert len(data) > 40_000  # a rendered page, not a blank one
