"""The wiring of `policycheck token` and `policycheck token diff`, without click."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from ..engine import Selection, run
from ..errors import UsageError
from ..escaping import log_line, terminal
from ..findings import Result, Severity
from ..loading.inputs import load_inputs
from ..model import Model, Token
from ..records import replace
from ..tokens import source
from ..tokens.build import build, pick_profile
from ..tokens.verify import DEFAULT_ALGORITHMS, Verification, check_settings
from .common import Outcome, emit, load_config, said, told_first

TOKEN_RULES = ("PC201", "PC204", "PC205")


@dataclass(frozen=True)
class TokenOptions:
    tokens: tuple[str, ...]
    paths: tuple[str, ...] = ()
    config: str | None = None
    no_config: bool = False
    environment: str | None = None
    application: str | None = None
    profile: str | None = None
    key: str | None = None
    jwks: str | None = None
    issuer: str | None = None
    no_verify: bool = False
    algorithms: tuple[str, ...] = ()
    hmac_secret_env: str | None = None
    leeway: int = 60
    max_token_bytes: int = source.DEFAULT_MAX_BYTES
    formats: tuple[tuple[str, str | None], ...] = (("text", None),)
    fail_on: Severity | None = None
    now: float | None = None
    color: bool = False


def _model(options: TokenOptions) -> tuple[Model, str]:
    """The policies and the export the tokens are checked against (none: no model), and the loaders' notes."""
    cfg = load_config(options.config, options.no_config)
    paths = options.paths or cfg.paths
    if not paths:
        return Model(), ""
    loaded = load_inputs(paths)
    return loaded.model, said((), loaded.notes)


def verification(options: TokenOptions, warnings: list[str]) -> Verification:
    from ..tokens import keys as keys_module

    if options.no_verify:
        return Verification(verify=False, leeway=options.leeway)
    given = [x for x in (options.key, options.jwks, options.issuer) if x]
    if len(given) > 1:
        raise UsageError("give one of --key, --jwks and --issuer")
    key_set = None
    if options.key:
        key_set = keys_module.load_pem(options.key)
    elif options.jwks:
        key_set = keys_module.load_jwks_file(options.jwks)
    elif options.issuer:
        key_set, _ = keys_module.discover(options.issuer)
    if key_set is not None:
        warnings.extend(key_set.warnings)
    secret = None
    if options.hmac_secret_env:
        value = os.environ.get(options.hmac_secret_env)
        if not value:
            raise UsageError(f"the environment variable {options.hmac_secret_env} is not set or empty")
        secret = value.encode()
    v = Verification(True, options.algorithms or DEFAULT_ALGORITHMS, key_set, secret, options.leeway)
    check_settings(v)
    return v


def read_tokens(options: TokenOptions, model: Model, warnings: list[str]) -> tuple[Token, ...]:
    v = verification(options, warnings)
    profile = pick_profile(model, options.profile)
    out = []
    for position, spec in enumerate(options.tokens, 1):
        inp = source.read(spec, options.max_token_bytes, position=position)
        if inp.warning:
            warnings.append(inp.warning)
        out.append(build(inp, model, profile, v, options.environment, options.application))
    if options.application and options.application not in model.applications and model.has_export:
        raise UsageError(f"unknown application {options.application!r} (not in the export)")
    return tuple(out)


def check_tokens(options: TokenOptions) -> tuple[Result, Model, str]:
    """The result of the token rules, the model with the tokens, and what stderr says (notes, warnings)."""
    warnings: list[str] = []
    model, notes = _model(options)
    with told_first(notes):
        model = replace(model, tokens=read_tokens(options, model, warnings))
    now = options.now if options.now is not None else time.time()
    today = datetime.fromtimestamp(now, timezone.utc).date()
    return run(model, Selection(select=TOKEN_RULES), today, now), model, notes + _warnings(warnings)


def _warnings(warnings: list[str]) -> str:
    return "".join(f"warning: {terminal(w)}\n" for w in warnings)


def run_token(options: TokenOptions) -> Outcome:
    result, _, stderr = check_tokens(options)
    stdout = emit(result, options.formats, options.color)
    fail_on = options.fail_on or Severity.WARNING
    code = 1 if any(f.severity >= fail_on for f in result.findings) else 0
    return Outcome(code, stdout, stderr)


def run_token_diff(options: TokenOptions) -> Outcome:
    """Claim-by-claim comparison of two tokens' permissions, and which bound operations the difference breaks."""
    from ..reporters.text import render_token
    from ..rules.token_missing import needs

    if len(options.tokens) != 2:
        raise UsageError("token diff compares exactly two tokens: A B")
    result, model, stderr = check_tokens(options)
    (a, b), tokens = result.tokens, {"A": model.tokens[0], "B": model.tokens[1]}
    name = {"A": f"A ({a.environment or a.label})", "B": f"B ({b.environment or b.label})"}
    lines = [] if result.verified else ["UNVERIFIED: a token was decoded without checking its signature", ""]
    rejected = [who for who, t in (("A", a), ("B", b)) if t.problem]
    for who, t in (("A", a), ("B", b)):
        if t.problem:
            lines.append(f"REJECTED: {who} ({t.label}) fails verification (PC205): {t.problem}")
    if rejected:
        lines += [
            "NOT TRUSTWORTHY: the comparison below takes a rejected token's claims as given; they prove nothing",
            "",
        ]
    lines += [*f"A: {render_token(a)}".split("\n"), *f"B: {render_token(b)}".split("\n"), "", "permission claims:"]
    for value in sorted(set(a.values) | set(b.values)):
        if value in a.values and value in b.values:
            lines.append(f"    {value}")
        else:
            lines.append(
                f"  {'-' if value in a.values else '+'} {value}  only in {name['A' if value in a.values else 'B']}"
            )
    for who, other in (("B", "A"), ("A", "B")):
        lacking, has = tokens[who], tokens[other]
        missing = sorted(has.values - lacking.values)
        if not missing:
            continue
        lines += ["", f"{name[who]} lacks {', '.join(missing)}"]
        if lacking.application and lacking.environment:
            broken = needs(model, lacking)
            ops = sorted({op for value in missing for op in broken.get(value, (None, []))[1]})
            lines.append(
                f"  which breaks {', '.join(ops)} for {lacking.application} in {lacking.environment}"
                if ops
                else f"  no operation bound to {lacking.application} in {lacking.environment} needs them"
            )
        else:
            lines.append("  (which operations that breaks needs the token's application and environment)")
    if a.values == b.values:
        lines += [
            "",
            f"the two tokens claim the same permissions, but {' and '.join(rejected)} "
            f"{'is' if len(rejected) == 1 else 'are'} rejected: the comparison is not trustworthy"
            if rejected
            else "the two tokens carry the same permissions",
        ]
    # exit 1 as for `policycheck token`: a rejected token is a PC205 finding, whatever the permissions
    code = 0 if a.values == b.values and not rejected else 1
    return Outcome(code, "".join(log_line(terminal(line)) + "\n" for line in lines), stderr)


def parse_now(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--now expects an ISO 8601 time such as 2026-11-29T12:00:00Z, not {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
