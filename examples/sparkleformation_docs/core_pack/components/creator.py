from sparkleform import component


@component
def creator(t):
    t.outputs.creator.value = "spox"
