from policycheck.rules import REGISTRY

from .base import EXPORT, POLICY


def test_the_base_case_is_clean_for_every_rule(check):
    for rule in REGISTRY:
        assert check(POLICY, EXPORT, rule) == [], rule
