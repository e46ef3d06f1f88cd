from sparkleform import dynamic


@dynamic
def worker(t, name, **config):
    return t.dynamic("sqs_queue", name)
