"""A template that loads the environment component and narrows its allowed values."""

from sparkleform import ref, template


@template(description="Website assets bucket", load=["environment"])
def website(t):
    # The component's Type and Default stay; AllowedValues is replaced whole.
    t.parameters.environment.allowed_values = ["test", "production"]
    with t.resources.assets as r:
        r.type = "AWS::S3::Bucket"
        r.properties.tags = [{"Key": "Environment", "Value": ref("environment")}]
    t.output("assets_bucket", ref("assets"))
