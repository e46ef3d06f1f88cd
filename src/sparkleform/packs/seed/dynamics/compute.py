"""Dynamics for EC2 compute: a single instance, a launch template, an auto scaling group.

Instances and launch templates share the `cfn_init` registry entry, so one run list
converges a lone machine and every member of a group the same way.
"""

from sparkleform import AWS, dynamic, get_att, if_, ref, sub


def _key_name(t):
    """KeyName from the compute_parameters component when the template has it, else none."""
    conditions = t.root._get("Conditions")
    if conditions is not None and "has_key_name" in conditions:
        return if_("has_key_name", ref("key_name"), AWS.no_value)
    parameters = t.root._get("Parameters")
    if parameters is not None and "key_name" in parameters:
        return ref("key_name")
    return AWS.no_value


@dynamic
def chef_instance(
    t,
    name,
    *,
    subnet_id,
    security_group_ids=(),
    image_id=None,
    instance_type=None,
    run_list=(),
    instance_profile=None,
    user_data=None,
    block_device_mappings=None,
    tags=None,
):
    """An EC2 instance `{name}_instance` in `subnet_id`, converged by Chef via cfn-init.

    `image_id` and `instance_type` default to the ImageId/InstanceType parameters of the
    compute_parameters component, the key pair to its optional KeyName. With a `run_list`
    the instance gets the `cfn_init` metadata and user data that runs it; `user_data`
    (already Base64) replaces that bootstrap. `instance_profile` is a node or name.
    Returns the instance node.
    """
    instance = t.resource(
        f"{name}_instance",
        "AWS::EC2::Instance",
        image_id=image_id if image_id is not None else ref("image_id"),
        instance_type=instance_type if instance_type is not None else ref("instance_type"),
        key_name=_key_name(t),
        subnet_id=subnet_id,
        metadata_options={"HttpTokens": "required"},
    )
    if security_group_ids:
        instance.properties.security_group_ids = list(security_group_ids)
    if instance_profile is not None:
        instance.properties.iam_instance_profile = ref(instance_profile)
    if block_device_mappings is not None:
        instance.properties.block_device_mappings = block_device_mappings
    instance.properties.tags = [{"Key": "Name", "Value": _name_tag(name)}, *(tags or [])]
    if run_list:
        t.registry("cfn_init", instance, run_list=run_list)
    if user_data is not None:
        instance.properties.user_data = user_data
    elif run_list:
        t.registry("cfn_init_user_data", instance)
    return instance


@dynamic
def chef_launch_template(
    t,
    name,
    *,
    security_group_ids=(),
    image_id=None,
    instance_type=None,
    run_list=(),
    instance_profile=None,
    user_data=None,
):
    """A launch template `{name}_launch_template` for auto scaling groups.

    The same options as `chef_instance` (minus the subnet, which the group chooses); with a
    `run_list` its instances converge through the shared `cfn_init` registry entry.
    Instances require IMDSv2. Returns the launch template node.
    """
    lt = t.resource(f"{name}_launch_template", "AWS::EC2::LaunchTemplate")
    with lt.properties.launch_template_data as data:
        data.image_id = image_id if image_id is not None else ref("image_id")
        data.instance_type = instance_type if instance_type is not None else ref("instance_type")
        data.key_name = _key_name(t)
        if security_group_ids:
            data.security_group_ids = list(security_group_ids)
        data.metadata_options = {"HttpTokens": "required"}
        if instance_profile is not None:
            data.iam_instance_profile = {"Arn": get_att(instance_profile, "Arn")}
    if run_list:
        t.registry("cfn_init", lt, run_list=run_list)
    if user_data is not None:
        lt.properties.launch_template_data.user_data = user_data
    elif run_list:
        t.registry("cfn_init_user_data", lt)
    return lt


@dynamic
def scaling_group(
    t,
    name,
    *,
    launch_template,
    subnets,
    min_size=1,
    max_size=1,
    desired_capacity=None,
    load_balancer_names=None,
    tags=None,
):
    """An auto scaling group `{name}_auto_scaling_group` running `chef_launch_template`.

    `subnets` is a list (or an intrinsic giving one, such as a List<Subnet::Id> parameter);
    sizes may be numbers or intrinsics. Instances are tagged Name=<stack>-<name>, also at launch.
    Returns the group node.
    """
    group = t.resource(
        f"{name}_auto_scaling_group",
        "AWS::AutoScaling::AutoScalingGroup",
        launch_template={
            "LaunchTemplateId": ref(launch_template),
            "Version": get_att(launch_template, "LatestVersionNumber"),
        },
        vpc_zone_identifier=subnets,
        min_size=_size(min_size),
        max_size=_size(max_size),
    )
    if desired_capacity is not None:
        group.properties.desired_capacity = _size(desired_capacity)
    if load_balancer_names is not None:
        group.properties.load_balancer_names = load_balancer_names
    group.properties.tags = [
        {"Key": "Name", "Value": _name_tag(name), "PropagateAtLaunch": True},
        *(tags or []),
    ]
    return group


def _name_tag(name):
    """The Name tag: the stack's name and the part's, `coolapp-asg-app`."""
    return sub("${AWS::StackName}-" + name.replace("_", "-"))


def _size(value):
    """Auto scaling sizes are strings in CloudFormation; intrinsics pass through."""
    return str(value) if isinstance(value, int) else value
