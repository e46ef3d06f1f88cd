"""The AWS Advent 2013 single-instance template, translated (the article's centrepiece)."""

from sparkleform import base64, join, ref, template


@template(description="AWS CloudFormation Sample Template", load=["base"])
def ec2_example(t):
    with t.resources.ec2_instance as r:
        r.type = "AWS::EC2::Instance"
        with r.properties as p:
            p.image_id = ref("ami_id")
            p.security_group_ids = [ref("security_group_id")]
            p.subnet_id = ref("subnet_id")
            p.key_name = ref("key_name")
            p.user_data = base64(
                join(
                    "",
                    [
                        "#!/bin/bash -v\n",
                        "curl http://aprivatebucket.s3.amazonaws.com/bootstrap.sh -o /tmp/bootstrap.sh\n",
                        "bash /tmp/bootstrap.sh\n",
                        "# If all went well, signal success\n",
                        "cfn-signal -e $? -r 'Chef Server configuration'\n",
                    ],
                )
            )
    t.output("instance_id", ref("ec2_instance"), description="Instance Id of newly created instance")
    t.output("subnet", ref("subnet_id"), description="Subnet of instance")
    t.output("security_group_id", ref("security_group_id"), description="Security Group of instance")
