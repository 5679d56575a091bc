#!/usr/bin/env bash
# Every test: the Debian peers, dependencies, lint, type check, then the whole Vitest run.
# Ends with one summary line "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
pnpm install --frozen-lockfile --reporter=silent
pnpm exec biome check .
pnpm exec tsc -b tsconfig.json
mkdir -p .tmp
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@" || status=$?
node scripts/summarise-tests.mjs .tmp/vitest.json
exit $status
