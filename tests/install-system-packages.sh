#!/usr/bin/env bash
# Debian packages the tests drive: Chromium (report and review pages, through Playwright,
# never a downloaded browser) and Xvfb (the live window on a virtual screen).
# Installs only what is missing; needs root or sudo for that.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
