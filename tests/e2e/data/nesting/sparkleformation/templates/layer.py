from sparkleform import ref, template


@template()
def consumer(t):
    t.parameters.subnet.type = "String"
    t.resources.topic.type = "AWS::SNS::Topic"
    t.outputs.used_subnet.value = ref("Subnet")
