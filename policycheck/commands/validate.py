"""policycheck validate: schema validation only, no cross-file checks."""

from __future__ import annotations

from .common import Outcome


def run_validate(paths: tuple[str, ...]) -> Outcome:
    """Schema validation only: invalid files are the result here (exit 1), not a failure to run."""
    from ..loading.inputs import validate_files

    validated, errors = validate_files(paths)
    lines = [str(e) for e in errors]
    n = f"{validated} policycheck file{'s' if validated != 1 else ''}"
    lines.append(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in {n}" if errors else f"{n} valid")
    return Outcome(1 if errors else 0, "\n".join(lines) + "\n")
