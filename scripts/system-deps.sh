#!/usr/bin/env bash
# Installs the Debian packages that browser tests and screenshots need: Chromium and a CJK font
# (without it Japanese renders as boxes). Only as root, only what is missing; a non-root developer
# is told what to install. (PostgreSQL for the store tests: .ci/postgres.sh, run by scripts/run-tests.sh.)
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${need[*]} (install them with: sudo apt-get install ${need[*]})" >&2
  fi
fi
