"""Shared test set-up."""


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
