"""The embedded local CloudFormation engine (SQLite state, simulated resources).

`Engine(state_path, region, account_id)` runs stack operations; the local provider
(`sparkleform.providers.local.LocalProvider`) wraps it in the Provider protocol.
Custom resource handlers: `sparkleform.engine.custom.register_handler`.
"""

from sparkleform.engine.engine import Engine

__all__ = ["Engine"]
