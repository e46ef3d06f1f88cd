"""A template that loads the environment component and narrows its allowed values.

As in SparkleFormation, the body runs first, then the loaded components, then the
overrides: the override below sees (and changes) what the component set.
"""

from sparkleform import ref, template


@template(description="Website assets bucket", load=["environment"])
def website(t):
    with t.resources.assets as r:
        r.type = "AWS::S3::Bucket"
        r.properties.tags = [{"Key": "Environment", "Value": ref("environment")}]
    t.output("assets_bucket", ref("assets"))

    @t.overrides
    def narrow_environments(t):
        # The component's Type and Default stay; AllowedValues is replaced whole.
        t.parameters.environment.allowed_values = ["test", "production"]
