"""Building Blocks > Components: the template version and a common stack output."""

import os

from sparkleform import component


@component
def common(t):
    t.aws_template_format_version = "2010-09-09"
    with t.outputs.creator as o:
        o.description = "Stack creator"
        o.value = os.environ.get("USER", "unknown")
