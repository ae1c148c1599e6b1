"""A real OpenID provider (oauth2-mock-server from npm) on loopback issues a client_credentials
token; `policycheck token --issuer URL` verifies it through discovery and JWKS, and checks its
claims against a policy. `.ci/run` installs the provider (npm ci --prefix tests/oidc)."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from policycheck.cli import main

OIDC = Path(__file__).resolve().parent / "oidc"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(
        NODE is None, reason="node is not installed: the OpenID provider for this test is an npm package"
    ),
    pytest.mark.skipif(
        not (OIDC / "node_modules" / "oauth2-mock-server").is_dir(),
        reason="the OpenID provider is not installed: run `npm ci --prefix tests/oidc` (.ci/run does)",
    ),
]

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: GL Read
    claims: [gl:journal:read]
  - name: GL Write
    claims: [gl:journal:write]
operations:
  - id: gl.list
    request: GET /gl
    requires: {permissions: GL Read, scopes: [gl.read]}
  - id: gl.create
    request: POST /gl
    requires: {permissions: GL Write}
environments:
  - name: local
bindings:
  - application: integration
    environments: [local]
    operations: [{ops}]
"""
EXPORT = """\
apiVersion: policycheck/v1
kind: GatewayExport
applications:
  - id: integration
    clients: {local: integration-client}
    grants:
      - permission: GL Read
        status: approved
"""
PROFILE = """\
apiVersion: policycheck/v1
kind: TokenProfile
name: local-oidc
extends: generic
permission_claims: [scope, permissions]
environments:
  - name: local
    issuer: {issuer}
    audience: policycheck-integration
"""


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    assert NODE is not None
    proc = subprocess.Popen(
        [NODE, str(OIDC / "server.mjs")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=OIDC
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("http://"), proc.stderr.read() if proc.stderr else line
        host = urllib.parse.urlsplit(line).hostname
        assert host in ("localhost", "127.0.0.1"), "the provider must listen on loopback only"
        yield line
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def client_credentials(issuer: str, scope: str) -> str:
    with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=10) as r:
        endpoint = json.load(r)["token_endpoint"]
    assert urllib.parse.urlsplit(endpoint).hostname in ("localhost", "127.0.0.1")
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": "integration-client",
            "client_secret": "not-a-real-secret",
            "scope": scope,
        }
    ).encode()
    with urllib.request.urlopen(urllib.request.Request(endpoint, data=body, method="POST"), timeout=10) as r:
        token = json.load(r)["access_token"]
    assert isinstance(token, str) and token.count(".") == 2
    return token


def workspace(tmp_path: Path, issuer: str, ops: str, token: str) -> Path:
    (tmp_path / "policy.yaml").write_text(POLICY.replace("{ops}", ops))
    (tmp_path / "export.yaml").write_text(EXPORT)
    (tmp_path / "profile.yaml").write_text(PROFILE.replace("{issuer}", issuer))
    (tmp_path / "token.jwt").write_text(token)
    return tmp_path


def test_a_real_token_verified_through_discovery_passes_its_policy(issuer, tmp_path, capsys, monkeypatch):
    token = client_credentials(issuer, "gl.read")
    monkeypatch.chdir(workspace(tmp_path, issuer, "gl.list", token))
    code = main(["token", "--no-config", "--policies", ".", "--issuer", issuer, "token.jwt"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert ": verified, alg RS256" in out
    assert "integration-client -> integration in local" in out
    assert out.endswith("no findings; 1 application x 1 environment x 1 operation checked (1 binding, 3 files)\n")
    assert token not in out + err and token.split(".")[2] not in out + err


def test_a_real_token_lacking_a_claim_is_a_finding(issuer, tmp_path, capsys, monkeypatch):
    token = client_credentials(issuer, "gl.read")
    monkeypatch.chdir(workspace(tmp_path, issuer, "gl.list, gl.create", token))
    code = main(["token", "--no-config", "--policies", ".", "--issuer", issuer, "--format", "json", "token.jwt"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["verified"] is True
    assert [(f["rule"], f["subject"], f["operation"]) for f in report["findings"]] == [
        ("PC201", "gl:journal:write", "gl.create")
    ]


def test_a_token_from_another_issuer_is_rejected(issuer, tmp_path, capsys, monkeypatch):
    token = client_credentials(issuer, "gl.read")
    other = subprocess.Popen(
        [str(NODE), str(OIDC / "server.mjs")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=OIDC
    )
    try:
        assert other.stdout is not None
        other_issuer = other.stdout.readline().strip()
        monkeypatch.chdir(workspace(tmp_path, issuer, "gl.list", token))
        code = main(["token", "--no-config", "--policies", ".", "--issuer", other_issuer, "token.jwt"])
        out = capsys.readouterr().out
        assert code == 1
        assert "REJECTED" in out and "UNVERIFIED" not in out
        assert "error PC205 [integration local] token " in out and ": rejected: unknown key id (kid)" in out
    finally:
        other.terminate()
        other.communicate(timeout=10)
