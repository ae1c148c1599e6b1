"""Issue 13 item 5: hostile names through every command and every format (policycheck.escaping).

The same hostile names go into a native export and policy (what their schemas let
through: bidi controls, U+2028/2029, NEL, C1 CSI, Markdown links and images,
@mentions, HTML, a forged workflow command), into a Keycloak realm export (which
also carries C0 controls: newline, CR, ESC, NUL, BS, BEL) and into token claims.
Each output is then held to the policy of its kind: no raw control or bidi
character, no forged line or workflow command, no rendered link, image, mention
or HTML; and each must still show the marker, so a test cannot pass by saying nothing.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from tokens_helpers import NOW_ISO, ROOT, Run, claims, cli, raw, write

from policycheck import escaping
from policycheck.reporters import FORMATS

MARKER = "FORGED"
C0 = "\n::error file=x::FORGED\r\x1b[2K\x1b[1A\x00\x08\x07"
"""What only a vendor export or a token can carry (policycheck's own schemas refuse C0 in names)."""
WIDE = (
    "\u202egnp.exe\u2066\u200f [x](https://evil.example/a) ![i](https://evil.example/p.png) @octocat "
    "<img src=x onerror=alert(1)> \u2028::error file=x::FORGED\u2029\x85\x9b31m #12"
)
"""What the native schemas let through."""
PERMISSION = f"Orders - Read {WIDE}"
APP = "shop @octocat \u202e[x](https://evil.example/a)"
ROLE = f"gl:{C0}{WIDE}"

RAW = set("\r\x1b\x00\x08\x07\x85\x9b\u202e\u2066\u200f\u2028\u2029\x0b\x0c")
"""Characters that must never be written raw; a newline only as the output's own line break."""


def q(text: str) -> str:
    return json.dumps(text)  # a YAML double-quoted scalar


@pytest.fixture
def native(tmp_path: Path) -> Path:
    """A policy binding a hostile application to an operation that needs a hostile permission it lacks."""
    root = tmp_path / "native"
    write(
        root / "policy.yaml",
        f"""apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: {q(PERMISSION)}
    claims: [orders.read]
operations:
  - id: orders.list
    request: GET /orders/{{orderId}}
    requires:
      permissions: {q(PERMISSION)}
environments:
  - name: prod
bindings:
  - application: {q(APP)}
    environments: [prod]
    operations: [orders.list]
""",
    )
    write(root / "before" / "export.yaml", _export(granted=True))
    write(root / "export.yaml", _export(granted=False))
    return root


def _export(granted: bool) -> str:
    grants = f"\n      - permission: {q(PERMISSION)}\n        status: approved" if granted else " []"
    return f"""apiVersion: policycheck/v1
kind: GatewayExport
applications:
  - id: {q(APP)}
    clients: {{prod: shop-prd}}
    grants:{grants}
"""


@pytest.fixture
def realm(tmp_path: Path) -> Path:
    """The Keycloak example with a hostile client role granted to the integration in prod (PC401, PC104)."""
    root = tmp_path / "keycloak"
    shutil.copytree(ROOT / "policies" / "examples" / "keycloak", root)
    path = root / "prod" / "erp-realm.json"
    data = json.loads(path.read_text())
    data["roles"]["client"]["gl-api"].append({"name": ROLE, "composite": False})
    data["clientScopeMappings"]["gl-api"][0]["roles"].append(ROLE)
    data["users"][0]["clientRoles"] = {"gl-api": [ROLE]}
    path.write_text(json.dumps(data, indent=2))
    return root


@pytest.fixture
def hostile_token(tmp_path: Path) -> Path:
    scope = f"orders.read x:{C0}{WIDE}".replace(" ", "_").replace("_", " ", 1)
    token = raw(
        {"alg": "RS256", "kid": f"k{C0}"},
        claims(scope=scope, client_id=f"shop-prd{C0}", sub=f"svc{WIDE}", iss=f"https://idp.example.test/{C0}"),
    )
    return write(tmp_path / "token.jwt", token)


def _outside_code(text: str) -> str:
    """Markdown without its code spans (where nothing renders)."""
    return re.sub(r"(`+)(.+?)\1", "", text)


def assert_kind(kind: str, text: str, shown: bool = True) -> None:
    """The escaping policy of one output kind holds, and (unless told otherwise) the hostile names were shown."""
    assert MARKER in text or not shown, (kind, text)
    assert not RAW & set(text), (kind, sorted(RAW & set(text)))
    lines = text.split("\n")
    assert not any(line.startswith("::error file=x") for line in lines), kind
    if kind == "github":
        assert all(re.match(r"::(error|warning|notice) ", line) for line in lines if line), text
    if kind in ("text", "terminal"):
        assert not any(line.lstrip().startswith("::") for line in lines), text
    if kind in ("markdown", "review"):
        prose = _outside_code(text)
        assert not re.search(r"(?<!\\)\]\(", prose), prose  # no link, no image
        assert "<img" not in prose and "@octocat" not in prose and "https://evil" not in prose, prose
        assert "#12" not in prose, prose  # an issue reference
    if kind == "html":
        assert "<img" not in text, text[text.find("<img") - 200 : text.find("<img") + 40]
    if kind in ("json", "sarif"):
        json.loads(text)
    if kind == "sarif":
        for result in json.loads(text)["runs"][0]["results"]:
            assert not re.search(r"(?<!\\)\]\(", result["message"]["text"]), result["message"]["text"]
    if kind == "junit":
        ElementTree.fromstring(text)


def run_ok(run: Run, *codes: int) -> Run:
    assert run.code in codes, run
    assert "Traceback" not in run.text and "internal error" not in run.text, run
    assert not RAW & set(run.err), sorted(RAW & set(run.err))
    return run


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_check_every_format_on_native_names(capsys, native, fmt):
    run = run_ok(
        cli(capsys, "check", "--no-config", native / "policy.yaml", native / "export.yaml", "--format", fmt), 1
    )
    assert_kind(fmt, run.out)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_check_every_format_on_keycloak_control_characters(capsys, realm, monkeypatch, fmt):
    monkeypatch.chdir(realm)
    run = run_ok(cli(capsys, "check", "--format", fmt), 1)
    assert_kind(fmt, run.out)


def test_json_report_keeps_names_exactly(capsys, realm, monkeypatch):
    """Machines match names exactly: the JSON report escapes, it does not alter."""
    monkeypatch.chdir(realm)
    run = run_ok(cli(capsys, "check", "--format", "json"), 1)
    messages = [f["message"] for f in json.loads(run.out)["findings"]]
    assert any(f"gl-api/{ROLE}" in m for m in messages), messages


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_diff_every_format(capsys, native, fmt):
    run = run_ok(
        cli(
            capsys,
            "diff",
            "--no-config",
            "--policies",
            native / "policy.yaml",
            native / "before" / "export.yaml",
            native / "export.yaml",
            "--format",
            fmt,
        ),
        1,
    )
    assert_kind(fmt, run.out)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_by_method_and_path(capsys, native, hostile_token, fmt):
    run = run_ok(
        cli(
            capsys,
            "explain",
            APP,
            "GET /orders/42",
            "--env",
            "prod",
            "--no-config",
            "--policies",
            native / "policy.yaml",
            "--policies",
            native / "export.yaml",
            "--token",
            hostile_token,
            "--format",
            fmt,
        ),
        1,
    )
    assert_kind("terminal" if fmt == "text" else "json", run.out)
    if fmt == "text":
        assert "DENIED" in run.out and "\\u202e" in run.out and "\\x1b[2K" in run.out


def test_explain_on_the_keycloak_realm(capsys, realm, monkeypatch, hostile_token):
    monkeypatch.chdir(realm)
    run = run_ok(
        cli(capsys, "explain", "gl-integration", "gl.journal-entries.post", "--env", "prod", "--token", hostile_token),
        0,
        1,
    )
    assert_kind("terminal", run.out)


SHOW_TOKENS = {"text", "json", "html", "review"}
"""The formats that describe each token (the others list findings only, and these claims break no rule)."""


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_token_every_format(capsys, hostile_token, fmt):
    run = run_ok(
        cli(capsys, "token", "--no-config", "--no-verify", "--now", NOW_ISO, hostile_token, "--format", fmt), 0, 1
    )
    assert_kind(fmt, run.out, shown=fmt in SHOW_TOKENS)


def test_token_diff(capsys, tmp_path, hostile_token):
    plain = write(tmp_path / "plain.jwt", raw({"alg": "RS256"}, claims(scope="orders.read")))
    run = run_ok(cli(capsys, "token", "diff", "--no-config", "--no-verify", "--now", NOW_ISO, plain, hostile_token), 1)
    assert_kind("terminal", run.out)
    assert "only in B" in run.out


def test_stderr_of_a_bad_input_names_it_escaped(capsys, tmp_path):
    """An error line naming a hostile file stays one line (stderr of check and of validate)."""
    bad = write(
        tmp_path / f"x{C0.replace(chr(0), chr(0x7F))}.yaml",
        "apiVersion: policycheck/v1\nkind: Policy\npermissions: [\n",
    )
    run = run_ok(cli(capsys, "check", "--no-config", bad), 2)
    assert MARKER in run.err and run.err.count("\n") == 1, run
    run = run_ok(cli(capsys, "validate", bad), 2)  # it cannot be parsed: validate cannot say it is valid
    assert MARKER in run.err and run.err.count("\n") == 1, run
    assert_kind("terminal", run.err)


@pytest.mark.parametrize(
    ("function", "hostile", "shown"),
    [
        (escaping.terminal, "a\nb\x1b[2K\u202e", "a\\x0ab\\x1b[2K\\u202e"),
        (escaping.workflow_data, "x\n::add-mask::s 100%", "x\\x0a::add-mask::s 100%25"),
        (escaping.workflow_property, "a,b:c\r", "a%2Cb%3Ac\\x0d"),
        (escaping.markdown_text, "[a](http://e) @me #1 <b>", "\\[a\\](http:&#8203;//e) @&#8203;me #&#8203;1 &lt;b&gt;"),
        (escaping.markdown_code, "a`b|c", "``a`b\\|c``"),
        (escaping.html_text, '<a href="x">\u2028', "&lt;a href=&quot;x&quot;&gt;\\u2028"),
        (escaping.sarif_message, "see [x](1) and [base]", "see \\[x\\](1) and \\[base\\]"),
        (escaping.sarif_message, "inherits: [base]", "inherits: [base]"),
    ],
)
def test_each_policy(function, hostile, shown):
    assert function(hostile) == shown


def test_json_text_is_lossless_and_printable():
    value = {"k": "a\x1b\u202e\u2028\ud800\U000e0041\x85"}
    text = escaping.json_text(value, indent=2)
    assert text.isprintable() or set(text) - {"\n"} <= {c for c in text if c.isprintable()}
    assert json.loads(text) == value
    text.encode("utf-8")  # a lone surrogate cannot make the report unwritable


def test_a_line_that_starts_with_input_is_no_workflow_command(capsys, native, tmp_path, monkeypatch):
    """The runner reads any line starting with `::` (after spaces) as a command: a file name, a shared claim."""
    monkeypatch.chdir(native)
    (native / "export.yaml").rename(native / "::error file=x::FORGED.yaml")
    run = run_ok(cli(capsys, "check", "--no-config", "."), 1)
    assert_kind("text", run.out)
    assert run.out.startswith("\\x3a:error file=x::FORGED.yaml:4:5: error PC101"), run.out
    write(native / "::warning::FORGED.yaml", "apiVersion: policycheck/v1\nkind: Policy\nbindings: 3\n")
    run = run_ok(cli(capsys, "validate", "::warning::FORGED.yaml"), 1)
    assert_kind("terminal", run.out)
    both = [write(tmp_path / f"{n}.jwt", raw({"alg": "RS256"}, claims(scope=f"::error::{MARKER} {n}"))) for n in "ab"]
    run = run_ok(cli(capsys, "token", "diff", "--no-config", "--no-verify", "--now", NOW_ISO, *both), 1)
    assert_kind("terminal", run.out)
    assert "    \\x3a:error::FORGED" in run.out


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_who_can(capsys, native, fmt):
    """The hostile application and permission names through who-can: escaped, no forged line or command."""
    policy, export = native / "policy.yaml", native / "before" / "export.yaml"
    run = run_ok(
        cli(
            capsys,
            "who-can",
            "orders.list",
            "--env",
            "prod",
            "--policies",
            policy,
            "--policies",
            export,
            "--format",
            fmt,
        ),
        0,
    )
    assert_kind("terminal" if fmt == "text" else "json", run.out)
