"""The fidelity checks the local engine is known not to reproduce, each with its reason
(docs/engine.md lists them). check id -> reason."""

from __future__ import annotations

_OUTSIDE = (
    "the test made the resource through the service's API before deploying (a log group of the "
    "same name), which a case cannot carry: the local engine knows the resources of its stacks "
    "only, so the name is free locally; a name taken by another stack of the state is refused"
)

_SSM_TEXT = (
    "AWS answers a missing SSM parameter behind an AWS::SSM::Parameter::Value<> parameter with "
    "'Parameter X should either have input value or default value'; the engine's text is kept by "
    "engine/params.py, which the versioned-SSM work changes in parallel (left to it)"
)

KNOWN: dict[str, str] = {
    "deploy__template_engine__resolve_ssm_missing_parameter:message-1": _SSM_TEXT,
    "deploy__logs__handle_existing_log_group:status-1": _OUTSIDE,
}
