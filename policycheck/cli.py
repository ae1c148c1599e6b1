"""The command line: click options -> app.Options -> exit code. The one place that prints."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from ._version import __version__
from .errors import InputErrors, PolicycheckError
from .escaping import lines, terminal
from .findings import Severity

SEVERITIES = click.Choice([s.label for s in Severity])


def _version_text() -> str:
    from .loading.source import LOADER_NAME

    return f"policycheck {__version__} (Python {sys.version.split()[0]}, YAML loader {LOADER_NAME})"


def _color(flag: bool | None) -> bool:
    """--color/--no-color, else NO_COLOR (no-color.org), else FORCE_COLOR (force-color.org), else a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="%(version)s", prog_name="policycheck")
@click.option("--traceback", is_flag=True, help="Show the traceback of an internal error.")
def cli(traceback: bool) -> None:
    """Check API gateway permission exports and access tokens against YAML policies.

    Exit codes: 0 clean, 1 findings at or above the fail level, 2 could not run.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmts",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help="Report format: text, json, sarif, junit, github, markdown, html (a self-contained review page), "
    "review (Markdown for a pull-request comment); with =FILE it goes to FILE. "
    "Repeatable, e.g. --format text --format sarif=policycheck.sarif [default: text].",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the (single) report to FILE.")
@click.option(
    "--waivers",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Waiver file (repeatable; adds to the configuration's waivers:).",
)
@click.option(
    "--input-format",
    type=click.Choice(["native", "keycloak", "entra", "ionapi", "apigee", "apim", "kong", "auth0"]),
    help="Read every named export file as this format [default: recognised by content].",
)
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in this baseline.")
@click.option(
    "--write-baseline", type=click.Path(dir_okay=False), help="Record the current findings in FILE and exit 0."
)
@click.option("--fail-on", type=SEVERITIES, help="Exit 1 on findings at or above this severity [default: warning].")
@click.option("--select", multiple=True, help="Run only these rules (id or name; repeatable, or comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (id or name).")
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Configuration file [default: .policycheck.yaml or pyproject.toml, found upwards].",
)
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Evaluate expiry dates as of this day (YYYY-MM-DD) [default: today].",
)
@click.option("--max-file-size", type=click.IntRange(min=1), help="Largest input file in bytes [default: 64 MiB].")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text report [default: on a terminal; off with NO_COLOR set, on with FORCE_COLOR set].",
)
@click.option(
    "-v", "--list-files", is_flag=True, help="List every file under PATHS on stderr: what it was read as, or why not."
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Read symbolic links that point outside the checked paths [default: skip them, with a warning].",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show the phase on stderr once a run passes 2 s [default: only when stderr is a terminal].",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 when a coverage figure (spec operations covered, policy operations bound, bound calls allowed) "
    "is below PERCENT.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="The text report says only its summary line (other formats are whole)."
)
def check(
    paths: tuple[str, ...],
    fmts: tuple[str, ...],
    output: str | None,
    waivers: tuple[str, ...],
    input_format: str | None,
    baseline: str | None,
    write_baseline: str | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config: str | None,
    no_config: bool,
    today: object,
    max_file_size: int | None,
    color: bool | None,
    list_files: bool,
    follow_symlinks: bool,
    progress: bool | None,
    min_coverage: float | None,
    quiet: bool,
) -> int:
    """Check gateway exports against policies (files or directories in PATHS).

    Without PATHS, the paths come from the configuration file. Under GitHub Actions
    (GITHUB_ACTIONS=true) and without --format, the text report is followed by
    annotations (the `github` format).
    """
    from .commands.check import Options
    from .commands.check import run as run_check

    options = Options(
        paths=paths,
        config=config,
        no_config=no_config,
        formats=_formats(fmts, output),
        waivers=waivers,
        input_format=input_format,
        baseline=baseline,
        write_baseline=write_baseline,
        fail_on=Severity.parse(fail_on) if fail_on else None,
        select=_split(select),
        ignore=_split(ignore),
        today=today.date() if today is not None else None,  # type: ignore[attr-defined]
        color=_color(color),
        max_file_size=max_file_size,
        list_files=list_files,
        follow_symlinks=follow_symlinks,
        progress=progress,
        min_coverage=min_coverage,
        quiet=quiet,
        annotate=not fmts and output is None and _in_github_actions(),
    )
    return _emit(run_check(options))  # colour was decided above, not by click


class _TokenGroup(click.Group):
    """`policycheck token TOKEN...` checks tokens; `policycheck token diff A B` compares two."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not any(a in self.commands for a in args[:1]) and args[:1] not in (["-h"], ["--help"]):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _token_options(f: Any) -> Any:
    options = [
        click.option("--env", "environment", help="The token's environment [default: from its issuer or audience]."),
        click.option("--app", "application", help="The token's application [default: from its client claim]."),
        click.option(
            "--profile",
            help="Token profile: rfc9068, keycloak, entra, okta, auth0, cognito, generic, "
            "or one defined in the policies [default: the policies' only profile, else generic].",
        ),
        click.option(
            "--policies",
            "paths",
            multiple=True,
            type=click.Path(),
            help="Policy and export paths [default: from the configuration].",
        ),
        click.option("--key", type=click.Path(dir_okay=False), help="Verify with this PEM public key or certificate."),
        click.option("--jwks", type=click.Path(dir_okay=False), help="Verify with the keys of this JWKS file."),
        click.option(
            "--issuer",
            help="Verify with the keys of this issuer (discovery + JWKS over HTTPS; "
            "the only time policycheck uses the network).",
        ),
        click.option("--no-verify", is_flag=True, help="Decode without verifying: every report says UNVERIFIED."),
        click.option(
            "--algorithm",
            "algorithms",
            multiple=True,
            help="Allowed algorithm (repeatable) [default: RS*, PS*, ES*, EdDSA; never none].",
        ),
        click.option("--hmac-secret-env", metavar="NAME", help="Environment variable holding the HS* secret."),
        click.option(
            "--leeway",
            type=click.IntRange(0, 300),
            default=60,
            show_default=True,
            help="Clock leeway for exp, nbf and iat, in seconds.",
        ),
        click.option("--max-token-bytes", type=click.IntRange(min=64), default=16 * 1024, show_default=True),
        click.option("--now", help="Judge expiry at this time (ISO 8601) [default: now]."),
        click.option("--config", type=click.Path(dir_okay=False), help="Configuration file."),
        click.option("--no-config", is_flag=True, help="Ignore configuration files."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _make_token_options(tokens: tuple[str, ...], kw: dict[str, Any]) -> Any:
    from .commands.token import TokenOptions, parse_now

    now = kw.pop("now")
    return TokenOptions(
        tokens=tokens,
        now=parse_now(now) if now else None,
        algorithms=tuple(kw.pop("algorithms")),
        paths=tuple(kw.pop("paths")),
        **kw,
    )


@cli.group(cls=_TokenGroup)
def token() -> None:
    """Check access tokens against the policies: `token TOKEN...`, or compare two: `token diff A B`.

    A TOKEN is a file (a JWT, decoded claims JSON, a token response or an introspection
    response), '-' for stdin, or env:NAME for an environment variable. Verification is
    offline (--key, --jwks) unless --issuer names an issuer; --no-verify labels every
    report UNVERIFIED. The token itself and its signature are never printed.
    """


@token.command("check")
@click.argument("tokens", nargs=-1, required=True)
@_token_options
@click.option("--format", "fmts", multiple=True, metavar="FORMAT[=FILE]", help="As for `policycheck check`.")
@click.option("--fail-on", type=SEVERITIES, help="Exit 1 on findings at or above this severity [default: warning].")
@click.option("--color/--no-color", default=None)
def token_check(
    tokens: tuple[str, ...], fmts: tuple[str, ...], fail_on: str | None, color: bool | None, **kw: Any
) -> int:
    """Check tokens: what each lacks for its application's bound operations, drift from the export, health."""
    from .commands.token import run_token

    options = _make_token_options(tokens, kw)
    from dataclasses import replace

    options = replace(
        options,
        formats=_formats(fmts, None),
        fail_on=Severity.parse(fail_on) if fail_on else None,
        color=_color(color),
    )
    return _emit(run_token(options))


@token.command("diff")
@click.argument("tokens", nargs=-1, required=True, metavar="A B")  # counted by token_app: click would echo a third
@_token_options
def token_diff(tokens: tuple[str, ...], **kw: Any) -> int:
    """Compare the permission claims of two tokens (A: e.g. test, B: e.g. prod); exit 1 when they differ."""
    from .commands.token import run_token_diff

    return _emit(run_token_diff(_make_token_options(tokens, kw)))


def _emit(outcome: Any) -> int:
    if outcome.stderr:  # built from input names: only its own line breaks survive (policycheck.escaping)
        click.echo(lines(outcome.stderr.removesuffix("\n")) + "\n", nl=False, err=True)
    if outcome.stdout:
        click.echo(outcome.stdout, nl=False, color=True)
    return int(outcome.exit_code)


@cli.command()
@click.argument("exports", nargs=-1, required=True, metavar="[BEFORE] AFTER")
@click.option("--base-ref", metavar="REF", help="Read BEFORE from git: AFTER as it is at REF (e.g. main).")
@click.option("--policies", multiple=True, type=click.Path(), help="Policy paths [default: the configuration's].")
@click.option("--format", "fmts", multiple=True, metavar="FORMAT[=FILE]", help="As for `policycheck check`.")
@click.option("--fail-on-new-access", is_flag=True, help="Exit 1 also when an operation becomes callable.")
@click.option("--config", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Evaluate expiry dates as of this day.")
@click.option("--color/--no-color", default=None, help="As for `policycheck check`.")
@click.option("-q", "--quiet", is_flag=True, help="The text report says only its summary line.")
def diff(
    exports: tuple[str, ...],
    base_ref: str | None,
    policies: tuple[str, ...],
    fmts: tuple[str, ...],
    fail_on_new_access: bool,
    config: str | None,
    no_config: bool,
    today: Any,
    color: bool | None,
    quiet: bool,
) -> int:
    """What a new export changes: operations that lose (or gain) access, per application and environment.

    Exit 1 when a bound operation loses access (and, with --fail-on-new-access, gains it).
    Under GitHub Actions and without --format, the text report is followed by annotations.
    """
    from .commands.diff import DiffOptions, run_diff

    if len(exports) not in (1, 2) or (len(exports) == 1) == (base_ref is None):
        raise click.UsageError("give BEFORE AFTER, or --base-ref REF AFTER")
    options = DiffOptions(
        after=exports[-1],
        before=exports[0] if len(exports) == 2 else None,
        base_ref=base_ref,
        policies=policies,
        config=config,
        no_config=no_config,
        formats=_formats(fmts, None),
        fail_on_new_access=fail_on_new_access,
        today=today.date() if today is not None else None,
        color=_color(color),
        quiet=quiet,
        annotate=not fmts and _in_github_actions(),
    )
    return _emit(run_diff(options))


@cli.command()
@click.argument("application")
@click.argument("operation")
@click.option("--env", "environment", required=True, help="The environment.")
@click.option(
    "--token",
    "token_spec",
    metavar="TOKEN",
    help="Also read this token (file, '-' or env:NAME), decoded without verification unless --jwks/--key is given.",
)
@click.option("--jwks", type=click.Path(dir_okay=False), help="Verify the token with this JWKS file.")
@click.option("--key", type=click.Path(dir_okay=False), help="Verify the token with this PEM public key.")
@click.option("--policies", multiple=True, type=click.Path(), help="Policy and export paths [default: configuration].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
def explain(
    application: str,
    operation: str,
    environment: str,
    token_spec: str | None,
    jwks: str | None,
    key: str | None,
    policies: tuple[str, ...],
    fmt: str,
    config: str | None,
    no_config: bool,
) -> int:
    """Why APPLICATION can or cannot call OPERATION (an id, or "METHOD /path") in --env, step by step.

    Exit 0 when the call is allowed, 1 when it is not.
    """
    from .commands.explain import run_explain

    return _emit(
        run_explain(application, operation, environment, token_spec, jwks, key, policies, fmt, config, no_config)
    )


@cli.command("who-can")
@click.argument("operation")
@click.option("--env", "environment", required=True, help="The environment.")
@click.option("--policies", multiple=True, type=click.Path(), help="Policy and export paths [default: configuration].")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
def who_can(
    operation: str, environment: str, policies: tuple[str, ...], fmt: str, config: str | None, no_config: bool
) -> int:
    """Every application that can call OPERATION (an id, or "METHOD /path") in --env, with the chain,
    and every bound application that cannot, with the hop where it stops. Exit 0.
    """
    from .commands.who_can import run_who_can

    return _emit(run_who_can(operation, environment, policies, fmt, config, no_config))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--openapi", type=click.Path(dir_okay=False), help="Take the operations from this OpenAPI document.")
@click.option("--api", help="With --openapi: the api name of its operations.")
@click.option(
    "--policy",
    "policy_file",
    default="policycheck-starter.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The starter policy to write.",
)
@click.option("--force", is_flag=True, help="Overwrite .policycheck.yaml and the starter policy if they exist.")
def init(paths: tuple[str, ...], openapi: str | None, api: str | None, policy_file: str, force: bool) -> int:
    """Write .policycheck.yaml and a starter policy binding each application to what it can call today.

    PATHS hold the exports (and any policies with operations) [default: .]. Operations come
    from those policies, or from --openapi. Nothing is overwritten without --force.
    """
    from .commands.init import run_init

    return _emit(run_init(paths, openapi, api, policy_file, force))


@cli.group("import")
def import_group() -> None:
    """Write a starter policy from another tool's file: `import openapi SPEC`."""


@import_group.command("openapi")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--api", help="Set api: NAME on every operation (the name the configuration's openapi: entry uses).")
@click.option(
    "--dialect",
    type=click.Choice(["oas", "aws-apigateway"]),
    help="How to read security [default: aws-apigateway when x-amazon-apigateway-* extensions are present, else oas].",
)
def import_openapi(spec: str, api: str | None, dialect: str | None) -> int:
    """Print a starter policy from an OpenAPI 3.0/3.1 or Swagger 2.0 document (redirect it to a file)."""
    from .commands.import_openapi import run_import_openapi

    return _emit(run_import_openapi(spec, api, dialect))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(), required=True)
@click.option("-v", "--list-files", is_flag=True, help="List every file on stderr: what it was read as, or why not.")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Read symbolic links that point outside the checked paths [default: skip them, with a warning].",
)
def validate(paths: tuple[str, ...], list_files: bool, follow_symlinks: bool) -> int:
    """Validate policy, export, waiver and token-profile files against their schemas, each on its own.

    Vendor exports are checked for the fields policycheck reads. Other tools' files are
    skipped (and counted). Exit 1 when any file is invalid, 2 when a file looks like a
    policycheck file but is not one (no apiVersion, a misspelt one).
    """
    from .commands.validate import run_validate

    return _emit(run_validate(paths, list_files, follow_symlinks))


@cli.command()
@click.argument("rule", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: id, name, severity, summary, help URI and documentation of each rule.",
)
def rules(rule: str | None, fmt: str) -> int:
    """List the rules, or show the documentation of one (by id or name)."""
    from .commands.info import rule_doc, rules_listing

    click.echo(rule_doc(rule, fmt) if rule else rules_listing(fmt), nl=False)
    return 0


@cli.command()
@click.argument("name", type=click.Choice(["policy", "export", "waivers", "token-profile", "report"]))
def schema(name: str) -> int:
    """Print a JSON Schema (policy, export, waivers, token-profile or report), for editors and other tools."""
    from .commands.info import schema as schema_text

    click.echo(schema_text(name), nl=False)
    return 0


def _formats(values: tuple[str, ...], output: str | None) -> tuple[tuple[str, str | None], ...]:
    from .reporters import FORMATS

    pairs: list[tuple[str, str | None]] = []
    for value in values or ("text",):
        fmt, sep, path = value.partition("=")
        if fmt not in FORMATS:
            raise click.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="'--format'")
        if sep and not path:
            raise click.BadParameter(f"{value!r} names no file", param_hint="'--format'")
        pairs.append((fmt, path or None))
    if output is not None:
        to_stdout = [i for i, (_, path) in enumerate(pairs) if path is None]
        if len(to_stdout) != 1:
            raise click.BadParameter("--output needs exactly one --format without =FILE", param_hint="'--output'")
        pairs[to_stdout[0]] = (pairs[to_stdout[0]][0], output)
    return tuple(pairs)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def entry() -> NoReturn:
    """The console script and `python -m policycheck`: main, then leave without freeing the run's objects."""
    from .exiting import run_and_leave

    run_and_leave(main)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every failure to run is exit 2 with one line on stderr, never a traceback."""
    collecting = gc.isenabled()
    # A short-lived process over large acyclic data: the cyclic collector would walk the
    # parsed exports again and again (measured: 3.7 s of a 10,000-application build, 0.9 s without).
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: Sequence[str] | None = None) -> int:
    """The error boundary: a bug must not read as "findings" (exit 1), so everything else is exit 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--version"]:
        click.echo(_version_text())
        return 0
    try:
        code = cli.main(args=args, prog_name="policycheck", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.exceptions.NoArgsIsHelpError as e:  # bare `policycheck`: the help as --help prints it
        click.echo(e.ctx.get_help())
        return 2
    except click.ClickException as e:  # usage errors: one line, like every other failure to run
        ctx = getattr(e, "ctx", None)
        where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        click.echo(f"policycheck: {' '.join(e.format_message().split())}{where}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except PolicycheckError as e:
        errors = e.errors if isinstance(e, InputErrors) else (e,)  # one line each, whatever a name holds
        lines = dict.fromkeys(f"policycheck: {terminal(str(x))}\n" for x in errors)  # diff reads a file twice
        click.echo(e.said_before + "".join(lines), err=True, nl=False)
        return 2
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        click.echo("policycheck: input too complex (nested too deeply)", err=True)
        return 2
    except Exception as e:  # the boundary: a bug must not read as "findings" (exit 1)
        if "--traceback" in args:
            import traceback

            traceback.print_exc()
        click.echo(
            f"policycheck: internal error: {type(e).__name__} (a bug; rerun with --traceback and report it)", err=True
        )
        return 2
    return code if isinstance(code, int) else 0
