-- A local state file as sparkleform wrote it before state version 2 (stacks keyed by ARN in
-- every resource and event row): stacks net, app (updated once) and gone (deleted).
-- Made with the engine of commit 00f2a48 and sqlite3 .dump; tests/engine/test_state_migration.py
-- opens it with the current engine.
BEGIN TRANSACTION;
CREATE TABLE change_sets (
    change_set_id TEXT PRIMARY KEY,
    stack_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    template TEXT NOT NULL,
    parameters TEXT NOT NULL,
    changes TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    stack_id TEXT NOT NULL,
    stack_name TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    physical_id TEXT,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    ts REAL NOT NULL
);
INSERT INTO "events" VALUES(1,'69642902-e65b-49e9-60f3-1909ae0ca2a3','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','net','net','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','AWS::CloudFormation::Stack','CREATE_IN_PROGRESS','User Initiated',1.79567201417444443703e+09);
INSERT INTO "events" VALUES(2,'8332c86e-f382-448d-33b9-af54a70ad095','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','net','Vpc',NULL,'AWS::EC2::VPC','CREATE_IN_PROGRESS',NULL,1.79567201417453956597e+09);
INSERT INTO "events" VALUES(3,'a0980795-9926-4f17-70f9-604ef0aabb70','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','net','Vpc','vpc-3799b97e958ed001a','AWS::EC2::VPC','CREATE_COMPLETE',NULL,1.79567201417458295826e+09);
INSERT INTO "events" VALUES(4,'1e62423b-cf07-489a-1a86-b57c39a39194','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','net','Subnet',NULL,'AWS::EC2::Subnet','CREATE_IN_PROGRESS',NULL,1.79567201417467427258e+09);
INSERT INTO "events" VALUES(5,'6ced310a-c381-4ecc-b372-74f22c505729','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','net','Subnet','subnet-2ba5522f16b8bcd06','AWS::EC2::Subnet','CREATE_COMPLETE',NULL,1.79567201417475342745e+09);
INSERT INTO "events" VALUES(6,'7a5ebb46-9439-4277-248b-3ba1e702dd6e','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','net','net','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','AWS::CloudFormation::Stack','CREATE_COMPLETE',NULL,1.79567201417489647865e+09);
INSERT INTO "events" VALUES(7,'61b720f4-6d59-4682-c575-60f23b954b81','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','app','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','AWS::CloudFormation::Stack','CREATE_IN_PROGRESS','User Initiated',1.79567201417532730099e+09);
INSERT INTO "events" VALUES(8,'a9b6ae6a-327a-4ec9-b925-0e891aaa432f','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','Queue',NULL,'AWS::SQS::Queue','CREATE_IN_PROGRESS',NULL,1.79567201417538022988e+09);
INSERT INTO "events" VALUES(9,'4ee3f8cf-6549-4d58-aada-c562f5c5d9d3','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','Sg',NULL,'AWS::EC2::SecurityGroup','CREATE_IN_PROGRESS',NULL,1.79567201417538022988e+09);
INSERT INTO "events" VALUES(10,'66d8d3b7-ef16-48f8-4bdb-d7a150df3bc3','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','Queue','https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-S69AOUT3Y7WD','AWS::SQS::Queue','CREATE_COMPLETE',NULL,1.79567201417544078821e+09);
INSERT INTO "events" VALUES(11,'50723b76-02ab-41f8-4e65-bd3fe04d1609','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','Sg','sg-3dbc374dd0aea07cd','AWS::EC2::SecurityGroup','CREATE_COMPLETE',NULL,1.79567201417544078821e+09);
INSERT INTO "events" VALUES(12,'0f941e36-c4ec-4d81-ef0d-38305b0ca185','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','app','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','AWS::CloudFormation::Stack','CREATE_COMPLETE',NULL,1.79567201417556428907e+09);
INSERT INTO "events" VALUES(13,'13d80104-4a6b-4098-e831-75bb05b43d6f','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','app','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','AWS::CloudFormation::Stack','UPDATE_IN_PROGRESS','User Initiated',1.79567201417593336103e+09);
INSERT INTO "events" VALUES(14,'2735133b-399a-44e5-1ab7-a6b496aaad76','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','Queue','https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-S69AOUT3Y7WD','AWS::SQS::Queue','UPDATE_IN_PROGRESS',NULL,1.79567201417598414419e+09);
INSERT INTO "events" VALUES(15,'1df28852-0cd7-4dc7-9d19-9dcec0ddc0ff','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','Queue','https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-S69AOUT3Y7WD','AWS::SQS::Queue','UPDATE_COMPLETE',NULL,1.79567201417599749567e+09);
INSERT INTO "events" VALUES(16,'21be96a5-043b-4ca5-694b-4ab39ecdc4e0','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','app','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','AWS::CloudFormation::Stack','UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',NULL,1.79567201417609739301e+09);
INSERT INTO "events" VALUES(17,'73885a2c-08ed-4b93-cde9-0bffb26e611d','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','app','arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','AWS::CloudFormation::Stack','UPDATE_COMPLETE',NULL,1.79567201417615580558e+09);
INSERT INTO "events" VALUES(18,'80451a1e-d214-44fb-085d-314b44c3348a','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','gone','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','AWS::CloudFormation::Stack','CREATE_IN_PROGRESS','User Initiated',1.79567201417638707162e+09);
INSERT INTO "events" VALUES(19,'064db3e6-ef26-4f8e-f567-33e334ab8e7e','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','T',NULL,'AWS::SNS::Topic','CREATE_IN_PROGRESS',NULL,1.79567201417642831806e+09);
INSERT INTO "events" VALUES(20,'c18ce0f9-62cb-4ad6-2194-e69048aeaf5b','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','T','arn:aws:sns:us-east-1:123456789012:gone-T-J9GCRZ7VWX8G','AWS::SNS::Topic','CREATE_COMPLETE',NULL,1.79567201417645192149e+09);
INSERT INTO "events" VALUES(21,'1349d1a7-a7ce-4cc4-fe69-a00ee478936b','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','gone','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','AWS::CloudFormation::Stack','CREATE_COMPLETE',NULL,1.79567201417651915546e+09);
INSERT INTO "events" VALUES(22,'b24fb3fd-c557-4a89-93b5-bff48d429dc0','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','gone','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','AWS::CloudFormation::Stack','DELETE_IN_PROGRESS','User Initiated',1.79567201417663693426e+09);
INSERT INTO "events" VALUES(23,'4563756b-f37a-4471-6554-eff23ced3271','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','T','arn:aws:sns:us-east-1:123456789012:gone-T-J9GCRZ7VWX8G','AWS::SNS::Topic','DELETE_IN_PROGRESS',NULL,1.79567201417670345301e+09);
INSERT INTO "events" VALUES(24,'6c6e11cc-850c-49d9-2277-3954c1bdd684','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','T','arn:aws:sns:us-east-1:123456789012:gone-T-J9GCRZ7VWX8G','AWS::SNS::Topic','DELETE_COMPLETE',NULL,1.79567201417671203607e+09);
INSERT INTO "events" VALUES(25,'6a12b638-d7b9-4d11-7da6-21983605c45c','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','gone','arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','AWS::CloudFormation::Stack','DELETE_COMPLETE',NULL,1.79567201417677569392e+09);
CREATE TABLE exports (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    stack_id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (region, name)
);
INSERT INTO "exports" VALUES('us-east-1','net-vpc','arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','vpc-3799b97e958ed001a');
CREATE TABLE imports (
    stack_id TEXT NOT NULL,
    region TEXT NOT NULL,
    export_name TEXT NOT NULL,
    PRIMARY KEY (stack_id, export_name)
);
INSERT INTO "imports" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','us-east-1','net-vpc');
CREATE TABLE resources (
    stack_id TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    physical_id TEXT,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    attributes TEXT NOT NULL DEFAULT '{}',
    policy TEXT NOT NULL DEFAULT '{}',
    seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (stack_id, logical_id)
);
INSERT INTO "resources" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','Vpc','vpc-3799b97e958ed001a','AWS::EC2::VPC','CREATE_COMPLETE',NULL,'{"CidrBlock":"10.0.0.0/16"}','{"VpcId":"vpc-3799b97e958ed001a","@seed":"b73c1caef514e1fa"}','{}',1);
INSERT INTO "resources" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','Subnet','subnet-2ba5522f16b8bcd06','AWS::EC2::Subnet','CREATE_COMPLETE',NULL,'{"VpcId":"vpc-3799b97e958ed001a","CidrBlock":"10.0.0.0/24"}','{"SubnetId":"subnet-2ba5522f16b8bcd06","@seed":"59de255fc09c8942"}','{}',2);
INSERT INTO "resources" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','Sg','sg-3dbc374dd0aea07cd','AWS::EC2::SecurityGroup','CREATE_COMPLETE',NULL,'{"GroupDescription":"app","VpcId":"vpc-3799b97e958ed001a"}','{"Id":"sg-3dbc374dd0aea07cd","@seed":"4d2d909e7595dc16"}','{}',2);
INSERT INTO "resources" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','Queue','https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-S69AOUT3Y7WD','AWS::SQS::Queue','UPDATE_COMPLETE',NULL,'{"DelaySeconds":"3"}','{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-S69AOUT3Y7WD","@seed":"a2c0eaf8ec3de789"}','{}',1);
CREATE TABLE ssm_parameters (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (region, name)
);
CREATE TABLE stacks (
    stack_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    parameters TEXT NOT NULL DEFAULT '{}',
    no_echo TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '{}',
    outputs TEXT NOT NULL DEFAULT '[]',
    termination_protection INTEGER NOT NULL DEFAULT 0,
    stack_policy TEXT,
    description TEXT,
    template_version INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '{}',
    parent_id TEXT,
    snapshot TEXT,
    owner TEXT,
    created REAL NOT NULL,
    updated REAL,
    deleted REAL
);
INSERT INTO "stacks" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe','net','us-east-1','CREATE_COMPLETE',NULL,'{}','[]','{}','[{"key":"VpcId","value":"vpc-3799b97e958ed001a","description":null,"export_name":"net-vpc"},{"key":"SubnetCidr","value":"10.0.0.0/24","description":null,"export_name":null}]',0,NULL,NULL,1,'{"disable_rollback":false,"capabilities":null,"notification_arns":[],"role_arn":null,"timeout_minutes":null,"on_failure":null}',NULL,NULL,NULL,1.79567201417430067061e+09,NULL,NULL);
INSERT INTO "stacks" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339','app','us-east-1','UPDATE_COMPLETE',NULL,'{"Size":"3"}','[]','{}','[{"key":"QueueUrl","value":"https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-S69AOUT3Y7WD","description":null,"export_name":null}]',0,NULL,NULL,2,'{"disable_rollback":false,"capabilities":null,"notification_arns":[],"role_arn":null,"timeout_minutes":null,"on_failure":null}',NULL,NULL,NULL,1.79567201417528915412e+09,1.79567201417588257787e+09,NULL);
INSERT INTO "stacks" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82','gone','us-east-1','DELETE_COMPLETE',NULL,'{}','[]','{}','[]',0,NULL,NULL,1,'{"disable_rollback":false,"capabilities":null,"notification_arns":[],"role_arn":null,"timeout_minutes":null,"on_failure":null}',NULL,NULL,NULL,1795672014.17636,NULL,1.7956720141767520904e+09);
CREATE TABLE templates (
    stack_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    template TEXT NOT NULL,
    processed TEXT NOT NULL,
    parameters TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (stack_id, version)
);
INSERT INTO "templates" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/net/b1464e37-05b4-4798-98f3-68944a32f1fe',1,'{"Resources":{"Vpc":{"Type":"AWS::EC2::VPC","Properties":{"CidrBlock":"10.0.0.0/16"}},"Subnet":{"Type":"AWS::EC2::Subnet","Properties":{"VpcId":{"Ref":"Vpc"},"CidrBlock":{"Fn::Select":[0,{"Fn::Cidr":["10.0.0.0/16",4,8]}]}}}},"Outputs":{"VpcId":{"Value":{"Ref":"Vpc"},"Export":{"Name":"net-vpc"}},"SubnetCidr":{"Value":{"Fn::GetAtt":["Subnet","CidrBlock"]}}}}','{"Resources":{"Vpc":{"Type":"AWS::EC2::VPC","Properties":{"CidrBlock":"10.0.0.0/16"}},"Subnet":{"Type":"AWS::EC2::Subnet","Properties":{"VpcId":{"Ref":"Vpc"},"CidrBlock":{"Fn::Select":[0,{"Fn::Cidr":["10.0.0.0/16",4,8]}]}}}},"Outputs":{"VpcId":{"Value":{"Ref":"Vpc"},"Export":{"Name":"net-vpc"}},"SubnetCidr":{"Value":{"Fn::GetAtt":["Subnet","CidrBlock"]}}}}','{}',1.79567201417430067061e+09);
INSERT INTO "templates" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339',1,'{"Parameters":{"Size":{"Type":"Number","Default":"1"}},"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":{"Ref":"Size"}}},"Sg":{"Type":"AWS::EC2::SecurityGroup","Properties":{"GroupDescription":"app","VpcId":{"Fn::ImportValue":"net-vpc"}}}},"Outputs":{"QueueUrl":{"Value":{"Ref":"Queue"}}}}','{"Parameters":{"Size":{"Type":"Number","Default":"1"}},"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":{"Ref":"Size"}}},"Sg":{"Type":"AWS::EC2::SecurityGroup","Properties":{"GroupDescription":"app","VpcId":{"Fn::ImportValue":"net-vpc"}}}},"Outputs":{"QueueUrl":{"Value":{"Ref":"Queue"}}}}','{"Size":"2"}',1.79567201417528915412e+09);
INSERT INTO "templates" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/app/8ece7122-3945-451f-a5f6-8677a80b5339',2,'{"Parameters":{"Size":{"Type":"Number","Default":"1"}},"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":{"Ref":"Size"}}},"Sg":{"Type":"AWS::EC2::SecurityGroup","Properties":{"GroupDescription":"app","VpcId":{"Fn::ImportValue":"net-vpc"}}}},"Outputs":{"QueueUrl":{"Value":{"Ref":"Queue"}}}}','{"Parameters":{"Size":{"Type":"Number","Default":"1"}},"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":{"Ref":"Size"}}},"Sg":{"Type":"AWS::EC2::SecurityGroup","Properties":{"GroupDescription":"app","VpcId":{"Fn::ImportValue":"net-vpc"}}}},"Outputs":{"QueueUrl":{"Value":{"Ref":"Queue"}}}}','{"Size":"3"}',1.79567201417592954637e+09);
INSERT INTO "templates" VALUES('arn:aws:cloudformation:us-east-1:123456789012:stack/gone/c2716e0f-08fa-4b10-979e-ea182a1b4d82',1,'{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}','{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}','{}',1795672014.17636);
CREATE INDEX stacks_by_name ON stacks(region, name, deleted);
CREATE INDEX events_by_stack ON events(stack_id, seq);
COMMIT;
