#!/usr/bin/env bash
# Prepares a Debian machine with Node 20 to run portbrief: npm packages,
# Debian's Chromium (puppeteer-core cannot download its own browser),
# poppler-utils (pdftotext) and GNU time for the tests, fonts, and the compiled CLI.
# Each step runs only when its result is missing or stale, so it is cheap to
# run before every demo and test run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# npm packages, when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# Debian packages. PORTBRIEF_CHROMIUM names a browser installed elsewhere.
missing=()
if [ -z "${PORTBRIEF_CHROMIUM:-}" ] && [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -x /usr/bin/time ] || missing+=(time)   # GNU time: the tests read a run's peak memory from it
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Emoji in client, sensor or file names print as themselves, not as gaps.
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]} and no apt-get here: install them with your package manager (or set PORTBRIEF_CHROMIUM)"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The compiled CLI (dist/), when missing or older than any source file.
if [ ! -f dist/cli.js ] || [ -n "$(find src tsconfig.json tsconfig.build.json package-lock.json -newer dist/cli.js -print -quit)" ]; then
  log "compiling TypeScript"
  npx tsc -p tsconfig.build.json
  chmod +x dist/cli.js
fi
