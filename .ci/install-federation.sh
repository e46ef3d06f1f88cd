#!/usr/bin/env bash
# The federation proxy's tests use real services: OpenLDAP's slapd (+ ldap-utils) and headless
# Chromium with its driver, from Debian. Idempotent and quiet; apt-get update only when needed.
set -euo pipefail
missing=()
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || missing+=(slapd ldap-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-federation: not root and no sudo; the federation tests that need ${missing[*]} will skip" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The package's own slapd service is not used: the tests start their own on 127.0.0.1.
if command -v service >/dev/null 2>&1; then $SUDO service slapd stop >/dev/null 2>&1 || true; fi
