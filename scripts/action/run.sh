#!/usr/bin/env bash
# The work of the policycheck GitHub Action (action.yml), runnable outside GitHub:
#   policycheck check            -> annotations / the formats asked for, SARIF, Markdown summary
#   policycheck diff --base-ref  -> on a pull request that touches the exports, what the change takes away
#   $GITHUB_STEP_SUMMARY         <- the Markdown reports
#   $PC_OUT_DIR/comment.md       <- the pull-request comment (the `review` reports under a hidden marker)
#   $GITHUB_OUTPUT               <- exit-code, sarif-file, summary-file, review-file
# It always exits 0 once it has run: the action's last step fails the job with exit-code, so
# that the SARIF upload and the comment still happen. Inputs come as PC_* environment variables
# (see action.yml); every one may be empty.
set -uo pipefail

bin=${PC_BIN:-policycheck}
out=${PC_OUT_DIR:-${RUNNER_TEMP:-/tmp}/policycheck}
mkdir -p "$out"
rm -f "$out"/summary.md "$out"/check-review.md "$out"/comment.md "$out"/policycheck.sarif "$out"/diff-*.md "$out"/diff-*.err

read -r -a paths <<<"$(printf '%s' "${PC_PATHS:-}" | tr '\n' ' ')"
read -r -a formats <<<"$(printf '%s' "${PC_FORMATS:-github}" | tr '\n,' '  ')"
read -r -a exports <<<"$(printf '%s' "${PC_EXPORTS:-}" | tr '\n' ' ')"
sarif=${PC_SARIF:-true}
review=false
if [[ ${PC_COMMENT:-true} == true && -n ${PC_PR_NUMBER:-} ]]; then review=true; fi
marker="<!-- policycheck-review${PC_COMMENT_KEY:+ $PC_COMMENT_KEY} -->"

common=()
[[ -n ${PC_CONFIG:-} ]] && common+=(--config "$PC_CONFIG")

# The one format for the log (stdout): the first one asked for without =FILE.
log_format=text
for f in "${formats[@]}"; do
  if [[ $f != *=* ]]; then log_format=$f; break; fi
done

worst=0
note() { [[ $1 -gt $worst ]] && worst=$1; return 0; }

# --- policycheck check ---------------------------------------------------------------------
args=(check "${common[@]}")
[[ -n ${PC_FAIL_ON:-} ]] && args+=(--fail-on "$PC_FAIL_ON")
for f in "${formats[@]}"; do args+=(--format "$f"); done
args+=(--format "markdown=$out/summary.md")
[[ $sarif == true ]] && args+=(--format "sarif=$out/policycheck.sarif")
[[ $review == true ]] && args+=(--format "review=$out/check-review.md")
args+=("${paths[@]}")
echo "::group::policycheck ${args[*]}"
"$bin" "${args[@]}"
code=$?
echo "::endgroup::"
echo "policycheck check exited $code"
note "$code"

# --- policycheck diff on a pull request that touches the exports ----------------------------
diffs=()
if [[ -n ${PC_BASE_SHA:-} && ${#exports[@]} -gt 0 ]]; then
  if ! git cat-file -e "${PC_BASE_SHA}^{commit}" 2>/dev/null; then
    git fetch --no-tags --quiet --depth=1 origin "$PC_BASE_SHA" 2>/dev/null || true
  fi
  if ! git cat-file -e "${PC_BASE_SHA}^{commit}" 2>/dev/null; then
    echo "::warning::policycheck: the base commit $PC_BASE_SHA cannot be read or fetched: no diff"
    exports=()
  fi
  policies=()
  for p in "${paths[@]}"; do policies+=(--policies "$p"); done
  i=0
  for e in "${exports[@]}"; do
    if [[ -z $(git diff --name-only "$PC_BASE_SHA" -- "$e" 2>/dev/null) ]]; then
      echo "policycheck: $e is unchanged since ${PC_BASE_SHA:0:12}: no diff"
      continue
    fi
    i=$((i + 1))
    dargs=(diff --base-ref "$PC_BASE_SHA" "${common[@]}" "${policies[@]}" --format "$log_format" --format "markdown=$out/diff-$i.md")
    [[ $review == true ]] && dargs+=(--format "review=$out/diff-review-$i.md")
    dargs+=("$e")
    echo "::group::policycheck ${dargs[*]}"
    "$bin" "${dargs[@]}" 2>"$out/diff-$i.err"
    dcode=$?
    cat "$out/diff-$i.err" >&2
    echo "::endgroup::"
    if [[ $dcode == 2 ]] && grep -q "git has no" "$out/diff-$i.err"; then
      echo "::notice::policycheck: $e has files the base revision lacks: nothing to compare them with"
      rm -f "$out/diff-$i.md" "$out/diff-review-$i.md"
      continue
    fi
    echo "policycheck diff $e exited $dcode"
    diffs+=("$i")
    note "$dcode"
  done
fi

failed() {  # the report that a run with exit 2 could not write
  printf '## policycheck\n\npolicycheck could not run (exit %s): bad input, bad usage or nothing to check. The job log has the message.\n' "$1"
}

# --- the step summary ---------------------------------------------------------------------
if [[ ! -s $out/summary.md ]]; then failed "$code" >"$out/summary.md"; fi
for i in "${diffs[@]}"; do
  if [[ -s $out/diff-$i.md ]]; then { printf '\n'; cat "$out/diff-$i.md"; } >>"$out/summary.md"; fi
done
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi

# --- the pull-request comment's body -------------------------------------------------------
if [[ $review == true ]]; then
  {
    printf '%s\n' "$marker"
    if [[ -s $out/check-review.md ]]; then cat "$out/check-review.md"; else failed "$code"; fi
    for i in "${diffs[@]}"; do
      if [[ -s $out/diff-review-$i.md ]]; then printf '\n'; cat "$out/diff-review-$i.md"; fi
    done
    [[ -n ${PC_RUN_URL:-} ]] && printf '\n<sub>[the run](%s)</sub>\n' "$PC_RUN_URL"
  } >"$out/comment.md"
  # GitHub refuses comment bodies over 65,536 characters: keep the head and say so.
  python3 - "$out/comment.md" <<'PY'
import sys
path, limit = sys.argv[1], 60000
text = open(path, encoding="utf-8").read()
if len(text) > limit:
    cut = text.rfind("\n", 0, limit)
    text = text[:cut] + "\n\n_The review is longer than a comment can hold; the step summary and the SARIF upload have all of it._\n"
    open(path, "w", encoding="utf-8").write(text)
PY
fi

if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  {
    echo "exit-code=$worst"
    echo "summary-file=$out/summary.md"
    if [[ -s $out/policycheck.sarif ]]; then echo "sarif-file=$out/policycheck.sarif"; else echo "sarif-file="; fi
    if [[ $review == true ]]; then echo "review-file=$out/comment.md"; else echo "review-file="; fi
  } >>"$GITHUB_OUTPUT"
fi
echo "policycheck: exit code $worst"
exit 0
