"""moto_server with one CloudFormation fact it lacks: `Fn::GetAtt [NestedStack, Outputs.Name]`.

moto 5 creates nested stacks but its Stack resource has no `get_cfn_attribute`, so a parent
that passes a nested stack's output on (what deep nesting writes) fails inside moto with an
AttributeError. AWS resolves it to the nested stack's output value; this adds exactly that,
then runs moto's own server entry point with the same arguments.
"""

from __future__ import annotations

import sys


def _patch() -> None:
    from moto.cloudformation import models
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    def get_cfn_attribute(self, attribute_name: str):
        if attribute_name.startswith("Outputs."):
            wanted = attribute_name.split(".", 1)[1]
            output = self.output_map.get(wanted)
            if output is not None:
                return output.value
        raise UnformattedGetAttTemplateException()

    if not hasattr(models.Stack, "get_cfn_attribute"):
        models.Stack.get_cfn_attribute = get_cfn_attribute


if __name__ == "__main__":
    _patch()
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
