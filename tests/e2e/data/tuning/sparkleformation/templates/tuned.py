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
