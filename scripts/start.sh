#!/usr/bin/env bash
# Starts the platform with its embedded defaults. Builds the browser app first when its
# bundle is missing or older than its sources, so a fresh clone serves the softphone at /.
set -euo pipefail
cd "$(dirname "$0")/.."
app=packages/agent-softphone
if [ ! -f "$app/dist/index.html" ] || [ -n "$(find "$app/src" "$app/index.html" "$app/vite.config.ts" -newer "$app/dist/index.html" -print -quit)" ]; then
  echo "building the softphone ($app) …"
  pnpm --filter @hotline12345/agent-softphone build
fi
exec pnpm exec tsx packages/acd-server/src/main.ts "$@"
