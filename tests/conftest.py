"""Shared test set-up."""

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    """POLICYCHECK_SECONDARY=1 (.ci/run on the other Pythons): the README's command, without the browser,
    pre-commit and packaging tests, which the main Python runs."""
    import os

    if os.environ.get("POLICYCHECK_SECONDARY") != "1":
        return
    slow = {"browser", "precommit", "packaging"}
    kept = [i for i in items if not slow & {m.name for m in i.iter_markers()}]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory (the vendor importer tests write their inputs there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
