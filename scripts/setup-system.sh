#!/usr/bin/env bash
# Installs the Debian packages the test tiers need (Chromium for the browser tier,
# ripgrep + build tools for code-server's install, tinyproxy for the proxy scenario, prometheus and
# prometheus-pushgateway for the team-export engine test). Idempotent: a second run only checks.
set -euo pipefail
need=()
for pkg in chromium ripgrep build-essential python3 libkrb5-dev git tinyproxy prometheus prometheus-pushgateway; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then echo "setup-system: all packages present"; exit 0; fi
if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=; fi
echo "setup-system: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "setup-system: done"
