"""Driver for the crash tests: runs one stack operation on a state file, to be killed.

    python crash_driver.py STATE STACK create|update|delete [VARIANT]

Prints READY once the engine is open (the test kills it at a random moment after that).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import contextlib

from crash_templates import big_template

from sparkleform.engine.errors import NoUpdates
from sparkleform.providers.local import LocalProvider


def main() -> None:
    state, stack, op = sys.argv[1:4]
    variant = sys.argv[4] if len(sys.argv) > 4 else "a"
    provider = LocalProvider(state=state)
    print("READY", flush=True)
    if op == "create":
        provider.create_stack(stack, big_template(variant), {})
    elif op == "update":
        with contextlib.suppress(NoUpdates):
            provider.update_stack(stack, big_template(variant), {})
    else:
        provider.delete_stack(stack)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
