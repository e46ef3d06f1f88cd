from sparkleform import template


@template()
def ctp(t, *, number_of_nodes: int = 1):
    for i in range(number_of_nodes):
        t.resources[f"Node{i}"].type = "AWS::SQS::Queue"
