"""Above providers: stack parameters, --apply-stack wiring, stack groups, plans and outcomes.

Nothing here knows the CLI or a particular provider; it talks to the Provider protocol.
"""
