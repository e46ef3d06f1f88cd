from sparkleform import ref, template


@template()
def tuned(t):
    """A queue whose delay is a parameter, nested two levels down (plan shows inside them)."""
    t.parameters.delay.type = "Number"
    t.resources.queue.type = "AWS::SQS::Queue"
    t.resources.queue.properties.delay_seconds = ref("Delay")
    t.resources.topic.type = "AWS::SNS::Topic"
    t.outputs.queue.value = ref("Queue")


@template()
def tuning(t):
    t.nest("tuned", "tuned")
    t.resources.log.type = "AWS::Logs::LogGroup"


@template()
def deep_tuning(t):
    t.nest("tuning", "tuning")


@template()
def guarded_tuned(t):
    """tuned, with its queue protected by a stack policy written on the resource."""
    t.parameters.delay.type = "Number"
    t.resources.queue.type = "AWS::SQS::Queue"
    t.resources.queue.properties.delay_seconds = ref("Delay")
    t.resources.queue.policy.deny = "Modify"
    t.outputs.queue.value = ref("Queue")


@template()
def guarded(t):
    """A root whose own policy keeps its log group from being replaced, nesting guarded_tuned."""
    t.nest("guarded_tuned", "guarded_tuned")
    t.resources.log.type = "AWS::Logs::LogGroup"
    t.stack_policy(deny={"log": ["Replace", "Delete"]})
