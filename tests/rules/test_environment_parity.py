from datetime import date

from .base import EXPORT, POLICY
from .conftest import brief

# prod loses Write: the Writers grant applies to test only, prod gets Readers.
DRIFT = EXPORT.replace(
    "      - permission_set: Writers\n        status: approved\n",
    "      - permission_set: Writers\n        status: approved\n        environments: [test]\n"
    "      - permission_set: Readers\n        status: approved\n        environments: [prod]\n",
)

ALLOW = """\
    allowed_differences:
      - permission: Write
        reason: prod writes go through the batch importer
        owner: finance-platform
        expires: {expires}
"""


def test_fails_naming_what_one_partner_has_and_the_other_lacks(check):
    found = check(POLICY, DRIFT, "PC104")
    assert [brief(f) for f in found] == [("PC104", "export.yaml", 17, "app", "prod", None)]
    assert found[0].message == "prod is not in parity with test: app has 'Write' in test but not in prod"


def test_parity_is_symmetric_whichever_side_declares_it(check):
    moved = POLICY.replace("    parity: [prod]\n", "").replace(
        "  - name: prod\n    inherits: [base]\n", "  - name: prod\n    inherits: [base]\n    parity: [test]\n"
    )
    assert [brief(f) for f in check(moved, DRIFT, "PC104")] == [("PC104", "export.yaml", 17, "app", "prod", None)]


def test_an_allowed_difference_suppresses_it_until_it_expires(check):
    policy = POLICY.replace("    parity: [prod]\n", "    parity: [prod]\n" + ALLOW.format(expires="2026-12-31"))
    assert check(policy, DRIFT, "PC104", today=date(2026, 12, 31)) == []
    assert len(check(policy, DRIFT, "PC104", today=date(2027, 1, 1))) == 1


def test_passes_when_both_environments_agree(check):
    assert check(POLICY, EXPORT, "PC104") == []
