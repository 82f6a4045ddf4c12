#!/usr/bin/env bash
# Installs code-server (a real VS Code: workbench in the browser, Node extension host) from npm
# into .vscode-test/, outside the project's node_modules. Idempotent: a second run takes ~1 s.
# code-server 4.100.3 = VS Code 1.100.3, the newest release that runs on the system Node 20.
set -euo pipefail
VER="${CODE_SERVER_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.vscode-test/code-server-$VER"
ENTRY="$DEST/node_modules/code-server/out/node/entry.js"
if [ -f "$ENTRY" ] && [ -f "$DEST/.complete" ]; then echo "code-server $VER: present"; exit 0; fi
mkdir -p "$DEST"
export TMPDIR="${TMPDIR:-/tmp}"
# @vscode/ripgrep downloads rg from GitHub at install time; pre-seed its cache with Debian's rg (same v13).
RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_TAR" ]; then
  command -v rg >/dev/null || { echo "setup-code-server: ripgrep missing (run scripts/setup-system.sh)"; exit 1; }
  mkdir -p "$RG_CACHE"; tmp="$(mktemp -d)"; cp "$(command -v rg)" "$tmp/rg"; tar czf "$RG_TAR" -C "$tmp" rg; rm -rf "$tmp"
fi
cd "$DEST"
[ -f package.json ] || echo '{"name":"code-server-host","private":true}' > package.json
echo "code-server $VER: installing (about 2 minutes on a cold cache)"
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "code-server@$VER"
[ -f "$ENTRY" ] || { echo "setup-code-server: entry.js missing after install"; exit 1; }
touch "$DEST/.complete"
echo "code-server $VER: installed"
