"""The WSGI app object for real servers: `gunicorn 'sparkleform.federation.wsgi:app'` with the
configuration file in SPARKLEFORM_FEDERATION_CONFIG (uvicorn: `--interface wsgi`)."""

from __future__ import annotations

import os

from sparkleform.federation.app import create_app
from sparkleform.federation.config import FederationConfigError, load_config

_path = os.environ.get("SPARKLEFORM_FEDERATION_CONFIG")
if not _path:
    raise FederationConfigError("set SPARKLEFORM_FEDERATION_CONFIG to the proxy's TOML configuration file")
app = create_app(load_config(_path))
