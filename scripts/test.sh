#!/usr/bin/env bash
# The project's test command (README): type-check, then every test file under
# test/ with node's test runner. Node 20 does not expand globs in --test, so
# the files are listed here; an empty list is an error, never a silent pass.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p tsconfig.json
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=300000 "$@" "${files[@]}"
