"""Request templates in explain (issue 13 item 7): the same answers as the regular expression, in linear time."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from tokens_helpers import cli, write

from policycheck.templates import matches


def regex(template: str, path: str) -> bool:
    """What explain did before: a placeholder became `[^/]+` (exponential on consecutive placeholders)."""
    pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "/?$"
    return re.match(pattern, path.split("?")[0]) is not None


@settings(max_examples=3000, deadline=None)
@given(st.text("ab{}/", max_size=12), st.text("ab{}/?", max_size=12))
def test_same_answers_as_the_regular_expression(template: str, path: str) -> None:
    assert matches(template, path) == regex(template, path)


def test_typical_templates() -> None:
    assert matches("/orders/{orderId}/lines", "/orders/42/lines")
    assert matches("/orders/{orderId}/lines", "/orders/42/lines/?expand=all")
    assert not matches("/orders/{orderId}/lines", "/orders//lines")
    assert not matches("/orders/{orderId}/lines", "/orders/42/x/lines")
    assert matches("/files/{name}.{ext}", "/files/a.b.c")
    assert not matches("/files/{name}.{ext}", "/files/.c")


HOSTILE = "/x/" + "".join(f"{{p{i}}}" for i in range(40)) + "!"
"""40 consecutive placeholders and a literal the path lacks: the regular expression tries C(200, 40) splits."""


def test_hostile_template_and_path_are_answered() -> None:
    assert not matches(HOSTILE, "/x/" + "a" * 200)
    assert matches(HOSTILE, "/x/" + "a" * 200 + "!")
    assert not matches(HOSTILE, "/x/" + "a" * 39 + "!")  # each placeholder takes at least one character


def test_explain_answers_a_hostile_request(capsys, tmp_path) -> None:
    """Through the CLI: an unknown METHOD /path is a usage error naming the operations it knows."""
    write(
        tmp_path / "policy.yaml",
        f"""apiVersion: policycheck/v1
kind: Policy
permissions: [{{name: Read}}]
operations:
  - id: hostile
    request: GET {HOSTILE}
    requires: {{permissions: Read}}
environments: [{{name: prod}}]
bindings: [{{application: shop, environments: [prod], operations: [hostile]}}]
""",
    )
    write(
        tmp_path / "export.yaml",
        "apiVersion: policycheck/v1\nkind: GatewayExport\napplications:\n"
        "  - {id: shop, clients: {prod: shop-prd}, grants: [{permission: Read, status: approved}]}\n",
    )
    args = ["explain", "shop", "--env", "prod", "--no-config", "--policies", tmp_path]
    run = cli(capsys, *args[:2], "GET /x/" + "a" * 200, *args[2:])
    assert run.code == 2 and "no operation" in run.err, run
    run = cli(capsys, *args[:2], "GET /x/" + "a" * 200 + "!", *args[2:])
    assert run.code == 0 and "(hostile) in prod: ALLOWED" in run.out, run
