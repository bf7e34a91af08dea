#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright (no browser download).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "[ci] installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends chromium >/dev/null
fi
chromium --version
