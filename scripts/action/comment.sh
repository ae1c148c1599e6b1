#!/usr/bin/env bash
# Keep ONE policycheck comment on the pull request up to date: find the comment whose body
# starts with the hidden marker (the first line of the review file, e.g.
# `<!-- policycheck-review -->`), written by PC_COMMENT_AUTHOR (default github-actions[bot];
# empty: anyone), and edit it in place; create it when there is none. Uses the GitHub CLI
# (`gh api`, authenticated by GH_TOKEN). A failure to comment (a pull request from a fork gets
# a read-only token) is a warning, not a failed check: the check's own exit code gates.
#   PC_REPO=owner/name PC_PR_NUMBER=N PC_REVIEW_FILE=comment.md [PC_COMMENT_AUTHOR=login]
set -euo pipefail

repo=${PC_REPO:?owner/name of the repository}
pr=${PC_PR_NUMBER:?the pull request number}
file=${PC_REVIEW_FILE:?the comment body file}
author=${PC_COMMENT_AUTHOR-github-actions[bot]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

marker=$(head -n 1 "$file")
if [[ $marker != '<!-- policycheck-review'*' -->' ]]; then
  echo "::error::policycheck: $file does not start with the policycheck marker" >&2
  exit 2
fi

warn() {
  echo "::warning::policycheck could not $1 the pull-request comment: $(tr '\n' ' ' <"$work/err" | cut -c1-300)"
  exit 0
}

gh api --paginate "repos/$repo/issues/$pr/comments?per_page=100" >"$work/comments.json" 2>"$work/err" || warn read

# The first (oldest) comment with the marker and the author; whether its body is already this one.
found=$(python3 - "$work/comments.json" "$file" "$marker" "$author" <<'PY'
import json, sys
raw, body_file, marker, author = sys.argv[1:]
text = open(raw, encoding="utf-8").read()
body = open(body_file, encoding="utf-8").read()
comments, decoder, at = [], json.JSONDecoder(), 0
while True:  # --paginate prints one JSON array per page, back to back
    while at < len(text) and text[at].isspace():
        at += 1
    if at == len(text):
        break
    page, at = decoder.raw_decode(text, at)
    comments += page
for c in comments:
    if (c.get("body") or "").startswith(marker) and (not author or (c.get("user") or {}).get("login") == author):
        print(c["id"], "same" if c["body"] == body else "changed")
        break
PY
)

python3 -c 'import json, sys; json.dump({"body": open(sys.argv[1], encoding="utf-8").read()}, sys.stdout)' "$file" >"$work/body.json"

if [[ -z $found ]]; then
  gh api --method POST "repos/$repo/issues/$pr/comments" --input "$work/body.json" --jq .html_url 2>"$work/err" || warn create
  echo "policycheck: created the pull-request comment"
else
  read -r id state <<<"$found"
  if [[ $state == same ]]; then
    echo "policycheck: the pull-request comment $id is up to date"
    exit 0
  fi
  gh api --method PATCH "repos/$repo/issues/comments/$id" --input "$work/body.json" --jq .html_url 2>"$work/err" || warn update
  echo "policycheck: updated the pull-request comment $id"
fi
