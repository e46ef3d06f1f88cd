"""Typed resource types, generated from the CloudFormation resource schemas, so that editors
complete property names and pyright/mypy flag unknown properties and wrong value types:

    from sparkleform.dsl.resources import ec2

    web = ec2.Instance(t, "web", instance_type="t3.micro", image_id=ref("ami"))
    with web.properties as p:
        p.subnet_id = ref("subnet")        # p.subnet_idd = ... is reported by pyright/mypy

One module per service namespace (`ec2`, `s3`, `lambda_` for AWS::Lambda, `alexa_ask`);
regenerate them with `python -m sparkleform.dsl.stubgen`.
"""
