"""SQL Server on AWS (SQL Server article): as a service on RDS, or on EC2 with tempdb on the
instance-store SSD. Both rent the licence from AWS (Standard Edition, licence included) and
never use magnetic storage.
"""

import re

from sparkleform import AWS, base64, equals, get_att, if_, ref, template
from sparkleform.errors import ParameterError

VERSION_PATTERN = r"1[4-6]\.00\.\d+\.\d+\.v1"  # SQL Server 2017, 2019, 2022 (RDS spells the build)


def _storage_parameters(t, prefix=""):
    """Type, size and IOPS of SSD storage: gp3 or io1, never magnetic."""
    t.parameter(f"{prefix}storage_type", default="gp3", allowed_values=["gp3", "io1"],
                description="SSD storage: gp3 (general purpose) or io1 (provisioned IOPS)")
    t.parameter(f"{prefix}iops", type="Number", default=3000, min_value=1000, max_value=64000,
                description="provisioned IOPS (used with io1 only)")
    t.condition(f"{prefix}is_io1", equals(ref(f"{prefix}storage_type"), "io1"))


@template(description="SQL Server Standard on RDS: licence included, SSD storage, backups, Multi-AZ by parameter")
def sqlserver_rds(t, *, version: str = "16.00.4245.2.v1"):
    """SQL Server Standard on RDS: licence included, SSD storage, backups, Multi-AZ option.

    The database runs in the private subnets. Multi-AZ by parameter, gp3 or io1 storage (encrypted), automated backups kept
    BackupRetentionPeriod days and a final snapshot on delete, the master password kept in
    Secrets Manager, and a parameter group with the setup checklist's settings (cost
    threshold for parallelism, MAXDOP, optimize for ad hoc workloads). Compile-time
    parameter `version`: an RDS engine version of SQL Server 2017 (14.00...) to 2022 (16.00...),
    which also picks the parameter group family. VpcId, VpcCidr and PrivateSubnetIds are
    outputs of seed_vpc.
    """
    if not re.fullmatch(VERSION_PATTERN, version):
        raise ParameterError(
            f"sqlserver_rds: version must be an RDS SQL Server 2017-2022 build such as 16.00.4245.2.v1, not {version}"
        )

    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC of the database")
    t.parameter("vpc_cidr", default="10.0.0.0/16", description="clients inside this range may connect (port 1433)")
    t.parameter("private_subnet_ids", type="List<AWS::EC2::Subnet::Id>", description="subnets of the database")
    t.parameter("DBInstanceClass", default="db.m5.large",
                allowed_values=["db.m5.large", "db.m5.xlarge", "db.m5.2xlarge", "db.r5.large", "db.r5.xlarge",
                                "db.r5.2xlarge"],
                description="instance class (Standard Edition: up to 24 cores / 128 GB are used)")
    t.parameter("MultiAZ", default="false", allowed_values=["true", "false"],
                description="keep a synchronous standby in another availability zone")
    t.parameter("allocated_storage", type="Number", default=100, min_value=20, max_value=16384,
                description="storage in GiB")
    _storage_parameters(t)
    t.parameter("backup_retention_period", type="Number", default=7, min_value=1, max_value=35,
                description="days of automated backups (point-in-time restore window)")
    t.parameter("master_username", default="sqladmin", allowed_pattern="^[A-Za-z][A-Za-z0-9_]{0,127}$",
                description="administrator login (its password is generated into Secrets Manager)")
    t.parameter("cost_threshold_for_parallelism", type="Number", default=50, min_value=0, max_value=32767)
    t.parameter("max_degree_of_parallelism", type="Number", default=4, min_value=0, max_value=32767)

    group = t.dynamic(
        "ingress_group", "database", description="SQL Server: port 1433 from the VPC",
        vpc=ref("vpc_id"), ingress=[(1433, {"CidrIp": ref("vpc_cidr")})],
    )
    subnets = t.resource("db_subnet_group", "AWS::RDS::DBSubnetGroup",
                         db_subnet_group_description="SQL Server subnets", subnet_ids=ref("private_subnet_ids"))
    settings = t.resource(
        "db_parameter_group",
        "AWS::RDS::DBParameterGroup",
        family=f"sqlserver-se-{version[:2]}.0",
        description="SQL Server settings from the setup checklist",
        parameters={
            "cost threshold for parallelism": ref("cost_threshold_for_parallelism"),
            "max degree of parallelism": ref("max_degree_of_parallelism"),
            "optimize for ad hoc workloads": "1",
        },
    )
    with t.resources.database as db:
        db.type = "AWS::RDS::DBInstance"
        db.deletion_policy = "Snapshot"
        db.update_replace_policy = "Snapshot"
        with db.properties as p:
            p.engine = "sqlserver-se"
            p.engine_version = version
            p.license_model = "license-included"
            p.db_instance_class = ref("DBInstanceClass")
            p.multi_az = ref("MultiAZ")
            p.allocated_storage = ref("allocated_storage")
            p.storage_type = ref("storage_type")
            p.iops = if_("is_io1", ref("iops"), AWS.no_value)
            p.storage_encrypted = True
            p.master_username = ref("master_username")
            p.manage_master_user_password = True
            p.backup_retention_period = ref("backup_retention_period")
            p.preferred_backup_window = "03:00-04:00"
            p.copy_tags_to_snapshot = True
            p.db_parameter_group_name = ref(settings)
            p.db_subnet_group_name = ref(subnets)
            p.vpc_security_groups = [get_att(group, "GroupId")]
            p.publicly_accessible = False

    t.output("Endpoint", get_att(db, "Endpoint.Address"), description="host name to connect to")
    t.output("Port", get_att(db, "Endpoint.Port"), description="port to connect to")
    t.output("MasterUserSecretArn", get_att(db, "MasterUserSecret.SecretArn"),
             description="Secrets Manager secret holding the administrator password")


# Runs at every boot (<persist>): the instance-store SSD comes back empty after a stop/start.
# SQL Server starts only once tempdb's folder exists on it.
SQLSERVER_USER_DATA = r"""<powershell>
$ErrorActionPreference = "Stop"
$marker = "C:\ProgramData\sparkleform\sqlserver-configured"

# EBS SSD volumes, in device order: D: data files, L: log files (formatted the first time only).
$letters = @("D", "L")
$ebs = Get-Disk | Where-Object { $_.FriendlyName -like "*Elastic B*" -and $_.Number -ne 0 } | Sort-Object Number
for ($i = 0; $i -lt $ebs.Count -and $i -lt $letters.Count; $i++) {
    if ($ebs[$i].PartitionStyle -eq "RAW") {
        $ebs[$i] | Initialize-Disk -PartitionStyle GPT -PassThru |
            New-Partition -DriveLetter $letters[$i] -UseMaximumSize |
            Format-Volume -FileSystem NTFS -AllocationUnitSize 65536 -Confirm:$false | Out-Null
    }
}

# Instance-store NVMe SSD: wiped on stop/start, so it is formatted at every boot. tempdb is
# re-created by SQL Server at every start anyway, so losing it costs nothing.
$local = Get-Disk | Where-Object { $_.FriendlyName -like "*EC2 NVMe*" } | Select-Object -First 1
if ($local.PartitionStyle -eq "RAW") {
    $local | Initialize-Disk -PartitionStyle GPT -PassThru |
        New-Partition -DriveLetter T -UseMaximumSize |
        Format-Volume -FileSystem NTFS -AllocationUnitSize 65536 -Confirm:$false | Out-Null
}
New-Item -ItemType Directory -Force -Path T:\tempdb, D:\data, L:\log | Out-Null
icacls T:\tempdb /grant "NT SERVICE\MSSQLSERVER:(OI)(CI)F" | Out-Null

if (-not (Test-Path $marker)) {
    Set-Service MSSQLSERVER -StartupType Manual   # started below, once T:\tempdb exists
    Start-Service MSSQLSERVER
    $move = @"
ALTER DATABASE tempdb MODIFY FILE (NAME = tempdev, FILENAME = 'T:\tempdb\tempdb.mdf');
ALTER DATABASE tempdb MODIFY FILE (NAME = templog, FILENAME = 'T:\tempdb\templog.ldf');
EXEC xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer', N'DefaultData', REG_SZ, N'D:\data';
EXEC xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer', N'DefaultLog', REG_SZ, N'L:\log';
"@
    sqlcmd -E -b -Q $move
    Restart-Service MSSQLSERVER
    New-Item -ItemType File -Force -Path $marker | Out-Null
} else {
    Start-Service MSSQLSERVER
}
</powershell>
<persist>true</persist>
"""


@template(description="SQL Server Standard on EC2: tempdb on the instance-store SSD, data and logs on EBS SSD")
def sqlserver_ec2(t):
    """SQL Server Standard on EC2: tempdb on the instance-store SSD, data and logs on EBS.

    Windows with SQL Server Standard (licence included), for what RDS cannot do. An
    instance type with a local NVMe SSD: its user data (run at every boot) formats the
    instance store as T: and puts tempdb there, and keeps data (D:) and logs (L:) on
    encrypted EBS SSD volumes (gp3 or io1). The instance role allows Systems Manager
    sessions instead of opening RDP. ImageId is a Windows + SQL Server Standard AMI, e.g.
    from /aws/service/ami-windows-latest/Windows_Server-2022-English-Full-SQL_2022_Standard.
    """
    t.load("compute_parameters")  # first: the dynamics below read its parameters and KeyName
    t.parameter("instance_type", default="r6id.xlarge",
                allowed_values=["m6id.xlarge", "m6id.2xlarge", "r6id.large", "r6id.xlarge", "r6id.2xlarge",
                                "r6id.4xlarge"],
                description="an instance type with a local NVMe SSD (the d in r6id) for tempdb")
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC of the server")
    t.parameter("vpc_cidr", default="10.0.0.0/16", description="clients inside this range may connect (port 1433)")
    t.parameter("subnet_id", type="AWS::EC2::Subnet::Id", description="subnet of the server (a private one)")
    t.parameter("data_volume_size", type="Number", default=200, min_value=20, max_value=16384,
                description="GiB of the data volume (D:)")
    t.parameter("log_volume_size", type="Number", default=100, min_value=20, max_value=16384,
                description="GiB of the log volume (L:)")
    _storage_parameters(t, "data_")

    group = t.dynamic(
        "ingress_group", "sql_server", description="SQL Server: port 1433 from the VPC",
        vpc=ref("vpc_id"), ingress=[(1433, {"CidrIp": ref("vpc_cidr")})],
    )
    profile = t.dynamic("instance_role", "sql_server",
                        managed_policy_arns=["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"])

    def ssd(device, size, volume_type="gp3", iops=None):
        ebs = {"VolumeSize": size, "VolumeType": volume_type, "Encrypted": True, "DeleteOnTermination": True}
        if iops is not None:
            ebs["Iops"] = iops
        return {"DeviceName": device, "Ebs": ebs}

    server = t.dynamic(
        "chef_instance", "sql_server",
        subnet_id=ref("subnet_id"),
        security_group_ids=[get_att(group, "GroupId")],
        instance_profile=profile,
        user_data=base64(SQLSERVER_USER_DATA),
        block_device_mappings=[
            ssd("/dev/sda1", 100),
            ssd("xvdf", ref("data_volume_size"), ref("data_storage_type"),
                if_("data_is_io1", ref("data_iops"), AWS.no_value)),
            ssd("xvdg", ref("log_volume_size")),
        ],
    )
    server.properties.ebs_optimized = True

    t.output("InstanceId", ref(server), description="the SQL Server instance")
    t.output("PrivateIp", get_att(server, "private_ip"), description="address to connect to (port 1433)")
