"""Every class of bad input, through the real command line: exit 2 and one line saying where and what.

Each case writes a small valid policy and a (bad) export into a fresh directory, runs
`policycheck check`, and asserts the exit code, the exact message with `path:line:col`
(where a line is known) and that no traceback ever shows. Duplicate keys are the one
exception: they are a finding (PC903, exit 1), not an error.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from policycheck.cli import main

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: Read
operations:
  - id: op.read
    request: GET /read
    requires:
      permissions: Read
environments:
  - name: test
bindings:
  - application: app
    environments: [test]
    operations: [op.read]
"""

HEAD = "apiVersion: policycheck/v1\nkind: GatewayExport\n"

EXPORT = (
    HEAD
    + """\
environments:
  - name: test
applications:
  - id: app
    clients:
      test: app-test
    grants:
      - permission: Read
        status: approved
"""
)

JSON_HEAD = '{"apiVersion": "policycheck/v1", "kind": "GatewayExport",\n'

SENTINEL = "SENTINEL-SECRET-123"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """run(*args) -> (exit code, stdout, stderr) of `policycheck check --no-config *args` in tmp_path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text(POLICY)

    def go(*args: str) -> tuple[int, str, str]:
        code = main(["check", "--no-config", *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert "internal error" not in err
        return code, out, err

    return go


def write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def refused(run: Run, name: str, content: str | bytes, *args: str) -> str:
    """The one error line (without 'policycheck: ') of checking policy.yaml with this export."""
    write(Path(name), content)
    code, out, err = run("policy.yaml", name, *args)
    assert code == 2, (out, err)
    assert out == ""
    assert err.startswith("policycheck: ") and err.endswith("\n") and err.count("\n") == 1, err
    return err[len("policycheck: ") : -1]


def test_the_minimal_pair_is_clean(run):
    write(Path("export.yaml"), EXPORT)
    code, out, err = run("policy.yaml", "export.yaml")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("no findings; 1 application x 1 environment x 1 operation checked")


# --- YAML syntax and YAML 1.1 surprises ------------------------------------------


def laughs(levels: int = 9) -> str:
    lines = ['x-l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"x-l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


YAML_CASES = [
    (
        "unclosed-flow",
        HEAD + "environments: [{name: test\n",
        "export.yaml:4:1: invalid YAML: did not find expected ',' or '}'",
    ),
    (
        "unclosed-quote",
        HEAD + 'environments:\n  - name: "test\n',
        "export.yaml:5:1: invalid YAML: found unexpected end of stream",
    ),
    (
        "tab-indent",
        HEAD + "environments:\n\t- name: test\n",
        "export.yaml:4:1: invalid YAML: found character that cannot start any token",
    ),
    (
        "bad-indent",
        HEAD + "environments:\n  - name: test\n inherits: []\n",
        "export.yaml:5:2: invalid YAML: did not find expected key",
    ),
    ("non-string-key", HEAD + "1: x\n", "export.yaml:3:1: keys must be strings; quote '1'"),
    ("null-key", HEAD + "null: x\n", "export.yaml:3:1: keys must be strings; quote 'null'"),
    ("list-key", HEAD + "? [a, b]\n: x\n", "export.yaml:3:3: keys must be strings, not lists or mappings"),
    ("on-key", HEAD + "on: x\n", "export.yaml:3:1: key 'on' is read as a boolean by YAML 1.1; quote it: 'on'"),
    (
        "yes-value",
        HEAD + "metadata:\n  gateway: yes\n",
        "export.yaml:4:12: 'yes' is read as a boolean by YAML 1.1; write true/false, or quote it for the text 'yes'",
    ),
    (
        "base-60",
        HEAD + "metadata:\n  gateway: 1:20\n",
        "export.yaml:4:12: '1:20' is read as a base-60 number by YAML 1.1; quote it",
    ),
    ("nan", HEAD + "x-n: .nan\n", "export.yaml:3:6: NaN and infinity are not valid values"),
    (
        "alias-bomb",
        HEAD + laughs(),
        "export.yaml:1:1: aliases expand to 490329068 nodes from 32; over the budget of 100000 (an alias bomb?)",
    ),
    ("recursive-alias", HEAD + "x-a: &a [*a]\n", "export.yaml:3:6: recursive alias: a node contains itself"),
    ("recursive-merge", HEAD + "x-a: &a {<<: *a}\n", "export.yaml:3:6: recursive alias: a node contains itself"),
    ("depth-65", HEAD + "x-a: " + "[" * 64 + "]" * 64 + "\n", "export.yaml:3:69: nesting deeper than 64 levels"),
    (
        "depth-65-anchored",
        HEAD + "x-b: &b 1\nx-a: " + "[" * 64 + "]" * 64 + "\n",
        "export.yaml:4:69: nesting deeper than 64 levels",
    ),
    (
        "depth-5000-flow",
        HEAD + "x-a: " + "[" * 5000 + "]" * 5000 + "\n",
        "export.yaml:3:1005: invalid YAML: exceeded maximum nesting depth",
    ),
    (
        "depth-5000-block",
        HEAD + "x-a:\n" + "- " * 5000 + "x\n",
        "export.yaml:4:1999: invalid YAML: exceeded maximum nesting depth",
    ),
    (
        "multi-document",
        HEAD + "---\n" + HEAD,
        "export.yaml:3:1: invalid YAML: several YAML documents in one file; put one document in each file",
    ),
    ("empty", "", "export.yaml:1:1: the file is empty; expected a mapping"),
    ("only-comments", "# an export\n\n", "export.yaml:1:1: the file is empty; expected a mapping"),
    ("null-document", "---\n", "export.yaml:1:1: expected a mapping at the top level"),
    (
        "top-level-list",
        "- apiVersion: policycheck/v1\n- kind: GatewayExport\n",
        "export.yaml:1:1: expected a mapping at the top level",
    ),
    ("top-level-scalar", "policycheck/v1\n", "export.yaml:1:1: expected a mapping at the top level"),
    (
        "unknown-tag",
        HEAD + "x-a: !Ref foo\n",
        "export.yaml:3:6: unsupported tag !Ref; only plain YAML values are allowed",
    ),
    (
        "binary-tag",
        HEAD + "x-a: !!binary aGVsbG8=\n",
        "export.yaml:3:6: unsupported tag tag:yaml.org,2002:binary; only plain YAML values are allowed",
    ),
    (
        "invalid-utf8",
        (HEAD + "metadata:\n  gateway: caf\xe9\n").encode("latin-1"),
        "export.yaml:4:15: invalid YAML: incomplete UTF-8 octet sequence (not UTF-8/UTF-16 text?)",
    ),
    (
        "utf32",
        (HEAD + "x-a: 1\n").encode("utf-32"),
        "export.yaml:1:1: invalid YAML: control characters are not allowed (not UTF-8/UTF-16 text?)",
    ),
    (
        "nul-byte",
        (HEAD + "metadata:\n  gateway: a\x00b\n").encode(),
        "export.yaml:4:13: invalid YAML: control characters are not allowed (not UTF-8/UTF-16 text?)",
    ),
]


@pytest.mark.parametrize(("content", "message"), [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_bad_yaml(run, content, message):
    assert refused(run, "export.yaml", content) == message


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused_and_never_executed(run, tmp_path, payload):
    marker = tmp_path / "pwned"
    message = refused(run, "export.yaml", HEAD + "x-a: " + payload.format(marker=marker) + "\n")
    assert message.startswith("export.yaml:3:6: unsupported tag tag:yaml.org,2002:python/")
    assert message.endswith("; only plain YAML values are allowed")
    assert not marker.exists()


def test_oversized_file_is_refused_before_parsing(run):
    content = HEAD + "x-pad: '" + "a" * 2000 + "\n"  # also unparseable: the size check comes first
    assert refused(run, "export.yaml", content, "--max-file-size", "1000") == (
        f"export.yaml: file is {len(content)} bytes, over the limit of 1000 (raise it with --max-file-size)"
    )


def test_size_limit_is_inclusive(run):
    write(Path("export.yaml"), EXPORT)
    size = max(len(EXPORT), len(POLICY))
    assert run("policy.yaml", "export.yaml", "--max-file-size", str(size))[0] == 0


# --- JSON ------------------------------------------------------------------------

BAD_BYTE = len(JSON_HEAD + ' "x-a": "caf')

JSON_CASES = [
    ("syntax", JSON_HEAD + ' "environments": [}\n', "export.json:2:19: invalid JSON: Expecting value"),
    ("nan", JSON_HEAD + ' "x-n": NaN}', "export.json:2:9: invalid JSON: NaN is not valid JSON"),
    ("infinity", JSON_HEAD + ' "x-n": -Infinity}', "export.json:2:9: invalid JSON: -Infinity is not valid JSON"),
    (
        "5000-digits",
        JSON_HEAD + ' "x-n": ' + "9" * 5000 + "}",
        "export.json:2:9: invalid JSON: a number with too many digits",
    ),
    ("depth-65", JSON_HEAD + ' "x-a": ' + "[" * 64 + "]" * 64 + "}", "export.json:2:72: nesting deeper than 64 levels"),
    (
        "depth-5000",
        JSON_HEAD + ' "x-a": ' + "[" * 5000 + "]" * 5000 + "}",
        "export.json:2:1008: JSON nested too deeply",
    ),
    (
        "depth-100000-objects",
        JSON_HEAD + ' "x-a": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}",
        "export.json:2:6003: JSON nested too deeply",
    ),
    (
        "invalid-utf8",
        (JSON_HEAD + ' "x-a": "caf\xe9"}').encode("latin-1"),
        f"export.json:2:13: not UTF-8 text (byte {BAD_BYTE})",
    ),
    ("utf16", (JSON_HEAD + ' "x-a": 1}').encode("utf-16"), "export.json:1:1: not UTF-8 text (byte 0)"),
    ("nul-byte", JSON_HEAD + ' "x-a": "a\x00b"}', "export.json:2:11: invalid JSON: Invalid control character at"),
    ("empty", "", "export.json:1:1: invalid JSON: Expecting value"),
    ("top-level-list", "[]", "export.json:1:1: expected a mapping at the top level"),
    ("trailing-data", JSON_HEAD + ' "x-a": 1} {}', "export.json:2:12: invalid JSON: Extra data"),
]


@pytest.mark.parametrize(("content", "message"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES])
def test_bad_json(run, content, message):
    assert refused(run, "export.json", content) == message


def test_json_with_a_utf8_bom_is_accepted(run):
    data = json.dumps(
        {
            "apiVersion": "policycheck/v1",
            "kind": "GatewayExport",
            "environments": [{"name": "test"}],
            "applications": [
                {"id": "app", "clients": {"test": "c"}, "grants": [{"permission": "Read", "status": "approved"}]}
            ],
        }
    )
    write(Path("export.json"), b"\xef\xbb\xbf" + data.encode())
    assert run("policy.yaml", "export.json")[0] == 0


# --- duplicate keys are findings, not errors --------------------------------------


def test_yaml_duplicate_key_is_a_pc903_finding(run):
    write(Path("export.yaml"), EXPORT + "        status: approved\n")
    code, out, err = run("policy.yaml", "export.yaml")
    assert (code, err) == (1, "")
    assert out.splitlines()[:2] == [
        "export.yaml:12:9: error PC903 key 'status' is defined twice (first at line 11)",
        "    fix: remove one of them, or merge them into one",
    ]
    assert out.splitlines()[2].startswith("coverage: ")
    assert out.splitlines()[3].startswith("1 error; ")


def test_json_duplicate_key_is_a_pc903_finding(run):
    write(
        Path("export.json"),
        JSON_HEAD + ' "kind": "GatewayExport",\n "environments": [{"name": "test"}],\n'
        ' "applications": [{"id": "app", "clients": {"test": "c"},\n'
        '                   "grants": [{"permission": "Read", "status": "approved"}]}]}',
    )
    code, out, err = run("policy.yaml", "export.json", "--format", "json")
    assert (code, err) == (1, "")
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["location"], f["message"]) for f in findings] == [
        ("PC903", {"path": "export.json", "line": 2, "column": 2}, "key 'kind' is defined twice (first at line 1)")
    ]


# --- schema ------------------------------------------------------------------------

SCHEMA_CASES = [
    (
        "missing-required",
        HEAD + "environments:\n  - description: no name\n",
        "export.yaml:4:5: environments[0]: missing required key 'name'",
    ),
    (
        "unknown-key",
        HEAD + "environments:\n  - name: test\n    colour: red\n",
        "export.yaml:5:5: environments[0]: unknown key 'colour' (expected one of description, inherits, name, "
        "permission_sets)",
    ),
    (
        "unknown-top-level-key",
        HEAD + "applicatons: []\n",
        "export.yaml:3:1: unknown key 'applicatons' (expected one of apiVersion, applications, environments, "
        "kind, metadata, permission_sets)",
    ),
    (
        "enum",
        EXPORT.replace("status: approved", "status: ok"),
        "export.yaml:11:9: applications[0].grants[0].status: expected one of approved, pending, revoked",
    ),
    (
        "both-permission-and-set",
        EXPORT.replace("      - permission: Read\n", "      - permission: Read\n        permission_set: S\n"),
        "export.yaml:10:9: applications[0].grants[0]: expected a grant of exactly one of permission or permission_set",
    ),
    (
        "neither-permission-nor-set",
        EXPORT.replace("      - permission: Read\n        status", "      - status"),
        "export.yaml:10:9: applications[0].grants[0]: expected a grant of exactly one of permission or permission_set",
    ),
    (
        "wrong-type",
        HEAD + "environments:\n  name: test\n",
        "export.yaml:3:1: environments: expected a list, got a mapping",
    ),
    (
        "control-character-in-name",
        HEAD + 'environments:\n  - name: "te\\u0007st"\n',
        "export.yaml:4:5: environments[0].name: expected a name without control characters (no tabs or line breaks)",
    ),
    (
        "newline-ending-a-name",
        HEAD + 'environments:\n  - name: "test\\n"\n',  # Python's $ matches before a \n
        "export.yaml:4:5: environments[0].name: expected a name without control characters (no tabs or line breaks)",
    ),
    ("empty-name", HEAD + "environments:\n  - name: ''\n", "export.yaml:4:5: environments[0].name: must not be empty"),
    (
        "duplicate-list-item",
        HEAD + "environments:\n  - name: test\n    inherits: [a, a]\n",
        "export.yaml:5:5: environments[0].inherits: has duplicate items",
    ),
    (
        "wrong-api-version",
        "apiVersion: policycheck/v2\nkind: GatewayExport\n",
        "export.yaml:1:1: expected apiVersion: policycheck/v1 (another apiVersion)",
    ),
    (
        "api-version-not-a-string",
        "apiVersion: 1\nkind: GatewayExport\n",
        "export.yaml:1:1: expected apiVersion: policycheck/v1 (another apiVersion)",
    ),
    (
        "missing-api-version",
        "kind: GatewayExport\n",
        "export.yaml:1:1: expected apiVersion: policycheck/v1 (no apiVersion)",
    ),
]


@pytest.mark.parametrize(("content", "message"), [c[1:] for c in SCHEMA_CASES], ids=[c[0] for c in SCHEMA_CASES])
def test_schema_violation(run, content, message):
    assert refused(run, "export.yaml", content) == message


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("metadata: {}\napiVersion: policycheck/v1\n", "1:1"),  # no kind: the start of the file
        ("apiVersion: policycheck/v1\nkind: Export\n", "2:1"),
        ("apiVersion: policycheck/v1\nkind: 1\n", "2:1"),
    ],
    ids=["missing-kind", "wrong-kind", "kind-a-number"],
)
def test_kind_must_be_known(run, content, where):
    message = refused(run, "export.yaml", content)
    assert re.fullmatch(rf"export\.yaml:{where}: expected kind: Policy or GatewayExport( or \w+)*", message), message


@pytest.mark.parametrize("kind", ["[Policy]", "{name: Policy}"])
def test_kind_that_is_a_list_or_mapping_is_an_input_error(run, kind):
    """Once a TypeError (an unhashable value looked up in a dict): an internal error."""
    message = refused(run, "export.yaml", f"apiVersion: policycheck/v1\nkind: {kind}\n")
    assert re.fullmatch(r"export\.yaml:2:1: expected kind: Policy or GatewayExport( or \w+)*", message), message


def test_schema_violation_in_json_has_its_position(run):
    content = (
        JSON_HEAD + ' "applications": [{"id": "app",\n'
        '                   "grants": [{"permission": "Read", "status": "ok"}]}]}'
    )
    assert refused(run, "export.json", content) == (
        "export.json:3:54: applications[0].grants[0].status: expected one of approved, pending, revoked"
    )


def test_a_value_of_the_wrong_type_is_one_line(run):
    content = JSON_HEAD + ' "applications": [{"id": 5}]}'
    assert (
        refused(run, "export.json", content) == "export.json:2:20: applications[0].id: expected a string, got a number"
    )


def test_schema_violation_in_a_policy(run):
    write(Path("policy.yaml"), POLICY.replace("request: GET /read", "request: FETCH /read"))
    write(Path("export.yaml"), EXPORT)
    code, out, err = run("policy.yaml", "export.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("policycheck: policy.yaml:7:5: operations[0].request: expected ")
    assert err.count("\n") == 1


def test_every_violation_of_every_file_is_reported_one_per_line(run):
    write(Path("policy.yaml"), POLICY.replace("  - name: Read\n", "  - name: Read\n    colour: red\n"))
    write(Path("export.yaml"), HEAD + "environments:\n  - description: x\n  - name: test\n    colour: red\n")
    code, out, err = run("policy.yaml", "export.yaml")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "policycheck: policy.yaml:5:5: permissions[0]: unknown key 'colour' (expected one of claims, "
        "description, name, scopes)",
        "policycheck: export.yaml:4:5: environments[0]: missing required key 'name'",
        "policycheck: export.yaml:6:5: environments[1]: unknown key 'colour' (expected one of description, "
        "inherits, name, permission_sets)",
    ]


def test_invalid_date_in_a_policy(run):
    write(
        Path("policy.yaml"),
        POLICY.replace(
            "  - name: test\n",
            "  - name: test\n    allowed_differences:\n      - {permission: Read, reason: r, owner: o, "
            "expires: '2026-02-30'}\n",
        ),
    )
    write(Path("export.yaml"), EXPORT)
    code, out, err = run("policy.yaml", "export.yaml")
    assert (code, out, err) == (2, "", "policycheck: policy.yaml:13:49: expected a real date (YYYY-MM-DD)\n")


# --- what to check -------------------------------------------------------------------


def test_nonexistent_path(run):
    code, out, err = run("missing.yaml")
    assert (code, out, err) == (2, "", "policycheck: missing.yaml: no such file or directory\n")


def test_directory_without_policycheck_files_is_nothing_to_check(run, tmp_path):
    d = tmp_path / "other"
    d.mkdir()
    write(d / "README.md", "# not YAML\n")
    write(d / "values.yaml", "replicas: 2\nimage: nginx\n")
    write(d / "configmap.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n")
    write(d / "package.json", '{"name": "x", "kind": "module"}')
    write(d / ".hidden.yaml", "{{{ not yaml")
    (d / ".git").mkdir()
    write(d / ".git" / "broken.yaml", "kind: [")
    code, out, err = run("other")
    assert (code, out, err) == (2, "", "policycheck: nothing to check: no policy (kind: Policy) found in other\n")


def test_empty_directory_is_nothing_to_check(run, tmp_path):
    (tmp_path / "empty").mkdir()
    assert run("empty") == (2, "", "policycheck: nothing to check: no policy (kind: Policy) found in empty\n")


def test_policy_without_export_is_nothing_to_check(run):
    assert run("policy.yaml") == (
        2,
        "",
        "policycheck: nothing to check: no gateway export (kind: GatewayExport) found in policy.yaml\n",
    )


def test_a_named_file_must_be_a_policycheck_file(run):
    assert refused(run, "values.yaml", "replicas: 2\n") == (
        "values.yaml:1:1: not a policycheck file (apiVersion: policycheck/v1) or an export policycheck reads "
        "(Keycloak, Entra, .ionapi, Kong decK, Auth0 Deploy CLI, Apigee, Azure API Management; force one with "
        "--input-format)"
    )


@pytest.mark.parametrize(
    "foreign",
    [
        "apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: v1\nkind: Service\n",
        "kind: chart-values\nenabled: yes\n",
    ],
)
def test_foreign_yaml_in_a_searched_directory_is_skipped(run, tmp_path, foreign):
    """A file that does not mention policycheck/ is another tool's: never parsed (it once was, when it
    mentioned 'kind', and a Kubernetes manifest's second document aborted the run)."""
    d = tmp_path / "repo"
    d.mkdir()
    write(d / "policy.yaml", POLICY)
    write(d / "export.yaml", EXPORT)
    write(d / "k8s.yaml", foreign)
    code, _, err = run("repo")
    assert (code, err) == (0, "")


def test_utf16_policy_in_a_searched_directory_is_read(run, tmp_path):
    """It was once skipped in silence: the search looked for b'policycheck/' in the raw bytes."""
    d = tmp_path / "repo"
    d.mkdir()
    write(d / "policy.yaml", POLICY.encode("utf-16"))
    write(d / "export.yaml", EXPORT)
    code, _, err = run("repo")
    assert (code, err) == (0, "")


def test_utf16_policy_named_explicitly_is_read(run, tmp_path):
    write(Path("policy16.yaml"), POLICY.encode("utf-16"))
    write(Path("export.yaml"), EXPORT)
    assert run("policy16.yaml", "export.yaml")[0] == 0


# --- secrets never reach any output ------------------------------------------------

SECRET_APP = f"""\
applications:
  - id: app
    clients:
      test: app-test
    client_secret: "{SENTINEL}"
    cs: {SENTINEL}
    saak: '{SENTINEL}'
    sask: [{SENTINEL}, {{nested: {SENTINEL}}}]
    grants:
      - permission: Read
        status: pending
"""

SECRET_EXPORTS = {
    # findings (the grant is pending): exit 1
    "valid-with-findings": ("export.yaml", HEAD + "environments:\n  - name: test\n" + SECRET_APP),
    "duplicate-secret-key": (
        "export.yaml",
        HEAD + "environments:\n  - name: test\n" + SECRET_APP.replace("    cs: ", f"    cs: {SENTINEL}\n    cs: "),
    ),
    "secret-of-an-unexpected-type": (
        "export.yaml",
        HEAD
        + "environments:\n  - name: test\n"
        + SECRET_APP.replace("    cs: ", "    cs: !Ref ").replace("    saak: ", "    saak: yes # "),
    ),
    # schema violations: exit 2
    "schema-violation-beside-the-secret": (
        "export.yaml",
        HEAD + SECRET_APP.replace("    cs: ", "    colour: red\n    cs: "),
    ),
    "schema-violation-in-the-secret-app": ("export.yaml", HEAD + SECRET_APP.replace("status: pending", "status: ok")),
    "secret-in-the-client-mapping": (
        "export.yaml",
        HEAD + SECRET_APP.replace("      test: app-test\n", f"      test: [{SENTINEL}]\n"),
    ),
    # syntax errors on the secret's line: exit 2
    "unclosed-quote": ("export.yaml", HEAD + SECRET_APP.replace(f'"{SENTINEL}"', f'"{SENTINEL}')),
    "unclosed-flow": (
        "export.yaml",
        HEAD
        + SECRET_APP.replace(
            f"sask: [{SENTINEL}, {{nested: {SENTINEL}}}]", f"sask: [{SENTINEL}, {{nested: {SENTINEL}]"
        ),
    ),
    "colon-in-plain-scalar": ("export.yaml", HEAD + SECRET_APP.replace(f"cs: {SENTINEL}", f"cs: {SENTINEL}: x")),
    "tab-after-the-secret": ("export.yaml", HEAD + SECRET_APP.replace(f"cs: {SENTINEL}", f"cs: {SENTINEL}\t- x")),
    "bad-indent-of-the-secret": (
        "export.yaml",
        HEAD + SECRET_APP.replace(f"    saak: '{SENTINEL}'", f"   saak: '{SENTINEL}'"),
    ),
    "invalid-utf8-in-the-secret": (
        "export.yaml",
        (HEAD + SECRET_APP).encode().replace(f"cs: {SENTINEL}".encode(), f"cs: {SENTINEL}".encode() + b"\xff"),
    ),
    "nul-in-the-secret": ("export.yaml", HEAD + SECRET_APP.replace(f"cs: {SENTINEL}", f"cs: {SENTINEL}\x00")),
    "json-valid": (
        "export.json",
        json.dumps(
            {
                "apiVersion": "policycheck/v1",
                "kind": "GatewayExport",
                "environments": [{"name": "test"}],
                "applications": [
                    {
                        "id": "app",
                        "clients": {"test": "c"},
                        "client_secret": SENTINEL,
                        "cs": SENTINEL,
                        "saak": [SENTINEL],
                        "sask": {"k": SENTINEL},
                        "grants": [{"permission": "Read", "status": "pending"}],
                    }
                ],
            },
            indent=1,
        ),
    ),
    "json-syntax-error": (
        "export.json",
        JSON_HEAD + f' "applications": [{{"id": "app", "client_secret": "{SENTINEL}" "cs": "{SENTINEL}"}}]}}',
    ),
    "json-unclosed-string": ("export.json", JSON_HEAD + f' "applications": [{{"client_secret": "{SENTINEL}}}]}}'),
    "json-nan-beside-the-secret": ("export.json", JSON_HEAD + f' "x": {{"cs": "{SENTINEL}", "n": NaN}}}}'),
    "json-schema-violation": (
        "export.json",
        JSON_HEAD + f' "applications": [{{"id": "app", "cs": "{SENTINEL}", "colour": "red"}}]}}',
    ),
}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("case", list(SECRET_EXPORTS))
def test_secrets_never_reach_the_output(run, case, fmt):
    name, content = SECRET_EXPORTS[case]
    write(Path(name), content)
    code, out, err = run("policy.yaml", name, "--format", fmt)
    assert code in (1, 2), (out, err)
    assert out or err
    for text in (out, err):
        assert "SENTINEL" not in text and "SECRET-123" not in text


def test_secrets_never_reach_a_report_file(run):
    write(Path("export.yaml"), HEAD + "environments:\n  - name: test\n" + SECRET_APP)
    code, out, err = run("policy.yaml", "export.yaml", "--format", "json", "--output", "report.json")
    assert (code, out, err) == (1, "", "")
    report = Path("report.json").read_text()
    assert json.loads(report)["findings"] and "SENTINEL" not in report


# --- the installed command, as a CI job runs it ----------------------------------------


def run_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policycheck", "check", "--no-config", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_process_alias_bomb_with_a_secret(tmp_path):
    write(tmp_path / "policy.yaml", POLICY)
    write(tmp_path / "export.yaml", HEAD + f"x-cs-holder:\n  cs: {SENTINEL}\n" + laughs())
    done = run_process(tmp_path, "policy.yaml", "export.yaml")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("policycheck: export.yaml:1:1: aliases expand to ")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and SENTINEL not in done.stderr


def test_process_python_tag_and_deep_json(tmp_path):
    marker = tmp_path / "pwned"
    write(tmp_path / "policy.yaml", POLICY)
    write(tmp_path / "export.yaml", HEAD + f"x-a: !!python/object/apply:os.system ['touch {marker}']\n")
    write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    done = run_process(tmp_path, "policy.yaml", "export.yaml", "deep.json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "policycheck: export.yaml:3:6: unsupported tag tag:yaml.org,2002:python/object/apply...; "
        "only plain YAML values are allowed",
        "policycheck: deep.json:1:1001: JSON nested too deeply",
    ]
    assert not marker.exists()
