from sparkleform import ref, template


@template()
def networking(t):
    t.parameters.environment.type = "String"
    t.resources.vpc.type = "AWS::EC2::VPC"
    t.resources.vpc.properties.cidr_block = "10.0.0.0/16"
    t.resources.subnet.type = "AWS::EC2::Subnet"
    t.resources.subnet.properties.vpc_id = ref("Vpc")
    t.resources.subnet.properties.cidr_block = "10.0.1.0/24"
    t.outputs.subnet.value = ref("Subnet")


@template()
def moneymaker(t):
    t.parameters.subnet.type = "String"
    t.parameters.environment.type = "String"
    t.resources.queue.type = "AWS::SQS::Queue"
    t.outputs.queue_subnet.value = ref("Subnet")


@template()
def infrastructure(t):
    t.nest("networking", "networking")


@template()
def applications(t):
    t.nest("moneymaker", "moneymaker")


@template()
def root(t):
    t.nest("infrastructure", "infrastructure")
    t.nest("applications", "applications")


@template()
def twice(t):
    """A second stack of the networking template written by hand, without its parameters."""
    t.nest("networking", "networking")
    t.resources.spare.type = "AWS::CloudFormation::Stack"
    t.resources.spare.properties.template_url = "twice-Networking.template"
