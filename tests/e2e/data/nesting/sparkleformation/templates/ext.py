from sparkleform import ref, template


@template()
def worker(t):
    t.parameters.name.type = "String"
    t.parameters.name.stack_unique = True
    t.resources.queue.type = "AWS::SQS::Queue"
    t.outputs.queue_name.value = ref("Name")


@template()
def workers(t):
    t.nest("first", "worker")
    t.nest("second", "worker")


@template()
def guarded(t):
    t.parameters.subnet.type = "String"
    t.parameters.subnet.disable_apply = True
    t.parameters.subnet.default = "none"
    t.parameters.vpc_id.type = "String"
    t.resources.topic.type = "AWS::SNS::Topic"
    t.outputs.used.value = ref("Subnet")
    t.outputs.vpc.value = ref("VpcId")
