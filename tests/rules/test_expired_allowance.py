from datetime import date

from .base import EXPORT, POLICY
from .conftest import brief

ALLOWED = POLICY.replace(
    "    parity: [prod]\n",
    """\
    parity: [prod]
    allowed_differences:
      - permission: Write
        application: app
        reason: prod writes go through the batch importer
        owner: finance-platform
        expires: 2026-01-31
""",
)


def test_fails_the_day_after_expiry(check):
    found = check(ALLOWED, EXPORT, "PC105", today=date(2026, 2, 1))
    assert [brief(f) for f in found] == [("PC105", "policy.yaml", 23, "app", "test", None)]
    assert found[0].message == (
        "the allowed difference for 'Write' (app) in test expired on 2026-01-31 (owner: finance-platform)"
    )
    assert found[0].severity.label == "warning"


def test_passes_on_the_expiry_day(check):
    assert check(ALLOWED, EXPORT, "PC105", today=date(2026, 1, 31)) == []
