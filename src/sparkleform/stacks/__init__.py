"""Above providers: the flows that run stacks, usable from Python without the CLI.

Preparing a request (request.py: template, parameters, --apply-stack wiring, options), the
per-stack flows (flows.py: create, plan, update = plan -> confirm -> apply, destroy, recover,
execute), stack groups (groups.py: order, up, down), following events (follow.py), the
context a flow runs in (context.py) and the Python face of it all (api.py: Stacks). Beside
them: parameter resolution, parameter files, prompts, outcomes and JSON shapes. Nothing here
knows the CLI; providers are reached through the contract (sparkleform.contract).
"""
