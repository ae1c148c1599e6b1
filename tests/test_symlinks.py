"""Symbolic links out of the checked tree are not followed unless asked (issue 13 item 9, hazard F05).

The repository is tmp_path/repo (the working directory, as for the pre-commit hook);
tmp_path/outside stands for /proc/self/environ or ~/.ssh: a file there is broken YAML
holding a canary, so reading it would end the run with exit 2 and a line naming it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tokens_helpers import Run, cli, write

CANARY = "canary-7f3a9d1e"
POLICY = """apiVersion: policycheck/v1
kind: Policy
permissions: [{name: Orders - Read}]
operations:
  - {id: orders.list, request: GET /orders, requires: {permissions: Orders - Read}}
environments: [{name: prod}]
bindings: [{application: shop, environments: [prod], operations: [orders.list]}]
"""
EXPORT = """apiVersion: policycheck/v1
kind: GatewayExport
applications:
  - {id: shop, clients: {prod: shop-prd}, grants: [{permission: Orders - Read, status: approved}]}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write(root / "gw" / "policy.yaml", POLICY)
    write(root / "gw" / "export.yaml", EXPORT)
    outside = tmp_path / "outside"
    write(outside / "environ.yaml", f"apiVersion: policycheck/v1\nkind: GatewayExport\nsecret: [{CANARY}\n")
    (root / "gw" / "environ.yaml").symlink_to(outside / "environ.yaml")
    (root / "gw" / "home").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(root)
    return root


def assert_not_read(run: Run) -> None:
    assert CANARY not in run.text and "Traceback" not in run.text, run


def test_links_out_of_the_tree_are_skipped_and_said(capsys, repo):
    run = cli(capsys, "check", "--no-config", "gw")
    assert run.code == 0, run
    assert_not_read(run)
    assert (
        "policycheck: gw/environ.yaml: warning: a symbolic link to a file outside the checked paths: "
        "not followed (--follow-symlinks reads it)"
    ) in run.err
    assert "policycheck: gw/home/: warning: a symbolic link to a directory outside the checked paths" in run.err
    listed = cli(capsys, "check", "--no-config", "-v", "gw")
    assert "gw/environ.yaml: skipped (symbolic link to a file outside the checked paths)" in listed.err


def test_follow_symlinks_reads_them(capsys, repo):
    run = cli(capsys, "check", "--no-config", "--follow-symlinks", "gw")
    assert run.code == 2 and "gw/environ.yaml:4:1: invalid YAML" in run.err, run  # read: it is broken YAML
    assert "gw/home/environ.yaml:4:1" in run.err


def test_a_file_named_explicitly_is_not_followed_out_of_the_repository(capsys, repo):
    """The pre-commit hook names every changed file: a committed link to a secret is not read."""
    run = cli(capsys, "validate", "gw/environ.yaml", "gw/policy.yaml")
    assert run.code == 0 and "1 file valid" in run.out, run
    assert_not_read(run)
    assert "gw/environ.yaml: warning: a symbolic link to a file outside the checked paths" in run.err


def test_links_inside_the_tree_are_read(capsys, repo):
    os.unlink(repo / "gw" / "environ.yaml")
    os.unlink(repo / "gw" / "home")
    write(repo / "shared" / "export.yaml", EXPORT.replace("shop-prd", "shop-prd2"))
    (repo / "gw" / "shared-export.yaml").symlink_to(repo / "shared" / "export.yaml")
    run = cli(capsys, "check", "--no-config", "-v", "gw")
    assert "gw/shared-export.yaml: gateway export" in run.err, run
    assert "warning" not in run.err


def test_a_link_cycle_with_follow_symlinks_ends(capsys, repo):
    os.unlink(repo / "gw" / "environ.yaml")
    os.unlink(repo / "gw" / "home")
    (repo / "gw" / "loop").symlink_to(repo / "gw", target_is_directory=True)
    run = cli(capsys, "check", "--no-config", "--follow-symlinks", "-v", "gw")
    assert run.code == 0, run
    assert "gw/loop/: skipped (symbolic link to a checked directory)" in run.err


WARNED = "policycheck: gw/environ.yaml: warning: a symbolic link to a file outside the checked paths"


@pytest.mark.parametrize(
    "args",
    [
        ("who-can", "--no-config", "--env", "prod", "--policies", "gw", "orders.list"),
        ("explain", "--no-config", "--env", "prod", "--policies", "gw", "shop", "orders.list"),
        ("diff", "--no-config", "--policies", "gw", "gw/export.yaml", "gw/export.yaml"),
        ("token", "check", "--no-config", "--no-verify", "--policies", "gw", "claims.json"),
    ],
    ids=["who-can", "explain", "diff", "token"],
)
def test_every_command_that_reads_the_paths_says_what_it_skipped(capsys, repo, args):
    """Not only `check`: a link left unread is said by each command that walks the policies' paths."""
    write(repo / "claims.json", '{"sub": "shop-prd", "scope": "orders"}')
    run = cli(capsys, *args)
    assert run.code in (0, 1), run
    assert_not_read(run)
    assert run.err.count(WARNED) == 1, run.err  # diff reads the policies twice: said once


def test_a_skipped_file_is_said_before_the_error_it_causes(capsys, repo):
    """The export is a link out of the tree: "no gateway export" must come with the reason it was not read."""
    os.unlink(repo / "gw" / "export.yaml")
    write(repo.parent / "outside" / "export.yaml", EXPORT)
    (repo / "gw" / "export.yaml").symlink_to(repo.parent / "outside" / "export.yaml")
    run = cli(capsys, "check", "--no-config", "gw")
    assert run.code == 2, run
    lines = run.err.splitlines()
    assert lines[-1].startswith("policycheck: nothing to check: no gateway export"), run.err
    assert "policycheck: gw/export.yaml: warning: a symbolic link to a file outside the checked paths" in "\n".join(
        lines[:-1]
    )
    explained = cli(capsys, "explain", "--no-config", "--env", "prod", "--policies", "gw", "shop", "orders.list")
    assert explained.code == 2 and "unknown application 'shop'" in explained.err.splitlines()[-1], explained
    assert "gw/export.yaml: warning: a symbolic link" in explained.err, explained
