"""Parameter values that deploy each seed template on the local engine (the docs use the same)."""

from __future__ import annotations

SAML_METADATA = (
    '<?xml version="1.0"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="http://adfs.example.com/adfs/services/trust">' + "<!-- padding -->" * 80 + "</EntityDescriptor>"
)
SUBNETS = "subnet-0a1b2c3d,subnet-1a2b3c4d"
SIDS = {
    "AwsAdministratorsSid": "S-1-5-21-1004336348-1177238915-682003330-512",
    "AwsPowerUsersSid": "S-1-5-21-1004336348-1177238915-682003330-1105",
    "AwsReadOnlySid": "S-1-5-21-1004336348-1177238915-682003330-1106",
}

# template name -> {parameter: value}; every pack template must be listed (a test checks).
DEPLOY_PARAMS: dict[str, dict[str, str]] = {
    "seed_vpc": {},
    "seed_ec2_instance": {"ImageId": "ami-0abcdef1234567890", "SubnetId": "subnet-0a1b2c3d",
                          "SecurityGroupId": "sg-0a1b2c3d"},
    "seed_coolapp_elb": {"VpcId": "vpc-0a1b2c3d", "PublicSubnetIds": SUBNETS},
    "seed_coolapp_asg": {"ImageId": "ami-0abcdef1234567890", "ElbName": "coolapp-elb",
                         "ElbSecurityGroup": "sg-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "PrivateSubnetIds": SUBNETS},
    "nat_ha": {"ImageId": "ami-0abcdef1234567890", "VpcId": "vpc-0a1b2c3d", "PublicSubnetIds": SUBNETS,
               "PrivateRouteTableIds": "rtb-0a1b2c3d,rtb-1a2b3c4d"},
    "dynamodb_sessions": {"BillingMode": "PROVISIONED"},
    "iam_groups": {},
    "ad_federation": dict(SIDS),
    "ad_federation_saml": {"SamlMetadataDocument": SAML_METADATA},
    "sqlserver_rds": {"VpcId": "vpc-0a1b2c3d", "PrivateSubnetIds": SUBNETS, "MultiAZ": "true", "StorageType": "io1"},
    "sqlserver_ec2": {"ImageId": "ami-0abcdef1234567890", "VpcId": "vpc-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d"},
    "coreos_kubernetes": {"ImageId": "ami-0abcdef1234567890", "VpcId": "vpc-0a1b2c3d", "PublicSubnetIds": SUBNETS,
                          "DiscoveryUrl": "https://discovery.etcd.io/6a28e078895c5ec737174db2419bb2f3",
                          "AdminCidr": "198.51.100.0/24", "MinionCount": "5"},
}
