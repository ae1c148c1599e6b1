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
rm -f "$out"/summary.md "$out"/check-review.md "$out"/check-failed.md "$out"/comment.md "$out"/policycheck.sarif "$out"/diff-*.md "$out"/diff-*.err

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
  parts=()
  if [[ -s $out/check-review.md ]]; then parts+=("$out/check-review.md"); else failed "$code" >"$out/check-failed.md"; parts+=("$out/check-failed.md"); fi
  for i in "${diffs[@]}"; do
    if [[ -s $out/diff-review-$i.md ]]; then parts+=("$out/diff-review-$i.md"); fi
  done
  # GitHub refuses comment bodies over 65,536 characters. Each review keeps its head (its
  # summary and first causes) within a fair share, so that a long check review never pushes
  # what the pull request itself changes (the diff reviews, after it) out of the comment.
  python3 - "$out/comment.md" "$marker" "${PC_RUN_URL:-}" "${parts[@]}" <<'PY'
import sys
path, marker, url, *parts = sys.argv[1:]
limit = 60000
note = "\n\n_Cut to fit a comment: the step summary and the SARIF upload have all of it._\n"
texts = [open(p, encoding="utf-8").read() for p in parts]
tail = f"\n<sub>[the run]({url})</sub>\n" if url else ""
left = limit - len(marker) - len(texts) - len(tail)  # a newline after the marker and between the reviews
shares = {}
for n, i in enumerate(sorted(range(len(texts)), key=lambda i: len(texts[i]))):  # the short ones first, whole
    shares[i] = min(len(texts[i]), left // (len(texts) - n))
    left -= shares[i]
for i, text in enumerate(texts):
    if len(text) > shares[i]:
        cut = text.rfind("\n", 0, max(shares[i] - len(note), 0))
        texts[i] = text[: max(cut, 0)] + note
with open(path, "w", encoding="utf-8") as f:
    f.write(marker + "\n" + "\n".join(texts) + tail)
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
