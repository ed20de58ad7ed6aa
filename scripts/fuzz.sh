#!/usr/bin/env bash
# Runs every Go fuzz target (func Fuzz… in internal/) for FUZZTIME each.
#
# A target fails on a real finding: a crasher written to testdata/fuzz, a
# panic, a failed check. Go 1.26's fuzz coordinator can also fail a target with
# a bare "context deadline exceeded" when the -fuzztime deadline races its
# workers (go.dev/issue/75804, fixed in Go 1.27); no input is written then and
# nothing is wrong with the target. That case is told apart and tolerated, but
# only after the target's corpus replays cleanly.
set -uo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}

specs=$(grep -rl --include='*_test.go' '^func Fuzz' internal | xargs grep -H '^func Fuzz' |
  sed -E 's#^(.*)/[^/]+_test.go:func (Fuzz[A-Za-z0-9_]*).*#\1:\2#' | sort -u)
for spec in $specs; do
  pkg=${spec%%:*} fn=${spec##*:}
  echo "fuzz $pkg $fn ($FUZZTIME)"
  out=$(mktemp)
  if "$GO" test -run '^$' -fuzz "^$fn\$" -fuzztime "$FUZZTIME" "./$pkg" 2>&1 | tee "$out"; then
    rm -f "$out"; continue
  fi
  # The race's signature: one failure whose only message is the deadline.
  if ! grep -qE 'Failing input written|panic:' "$out" && [ "$(grep -c -- '--- FAIL' "$out")" = 1 ] &&
    [ "$(grep -A1 -- '--- FAIL' "$out" | tail -1 | tr -d ' \t')" = "contextdeadlineexceeded" ]; then
    echo "fuzz $pkg $fn: Go's fuzz coordinator hit its deadline race (go.dev/issue/75804), no input written; replaying the corpus"
    if "$GO" test -run "^$fn\$" "./$pkg"; then rm -f "$out"; continue; fi
  fi
  rm -f "$out"; exit 1
done
