"""The environment every stack is deployed into."""

from sparkleform import component


@component
def environment(t):
    """An Environment parameter limited to the environments we run."""
    t.parameter(
        "environment",
        type="String",
        default="test",
        allowed_values=["test", "staging", "production"],
        description="Which environment this stack belongs to",
    )
