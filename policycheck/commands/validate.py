"""policycheck validate: schema validation only, no cross-file checks."""

from __future__ import annotations

from ..escaping import log_line, terminal
from .common import Outcome, said


def run_validate(paths: tuple[str, ...], list_files: bool = False, follow_symlinks: bool = False) -> Outcome:
    """Schema validation only: invalid files are the result here (exit 1), not a failure to run.

    A file that looks like ours but is none of our kinds (no apiVersion, a misspelt one)
    cannot be validated: exit 2. Other tools' files are skipped, and counted.
    """
    from ..loading.inputs import validate_files
    from ..loading.limits import Limits

    found = validate_files(paths, Limits(follow_symlinks=follow_symlinks))
    lines = [log_line(terminal(str(e))) for e in found.errors]
    n = f"{found.validated} file{'s' if found.validated != 1 else ''}"
    problems = len(found.errors)
    lines.append(f"{problems} problem{'s' if problems != 1 else ''} in {n}" if problems else f"{n} valid")
    skipped = sum(1 for f in found.files if f.read_as is None)
    if skipped:
        lines[-1] += f"; {skipped} skipped (not policycheck files{'' if list_files else ': -v lists them'})"
    stderr = said(found.files if list_files else (), [*found.notes]) + "".join(
        f"policycheck: {log_line(terminal(str(e)))}\n" for e in found.unreadable
    )
    code = 2 if found.unreadable else 1 if found.errors else 0
    return Outcome(code, "\n".join(lines) + "\n", stderr)
