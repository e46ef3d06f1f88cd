"""A private OpenLDAP `slapd` on 127.0.0.1 that looks like Active Directory to the proxy:
users and groups carry sAMAccountName, userPrincipalName, objectSid (binary) and memberOf,
groups list their members in `member` (one group nested in another).

Used by the federation tests; also runnable for docs/federation.md:
`python tests/federation/_fed_slapd.py DIR [PORT TLS_PORT]` starts it and prints its URLs
until Ctrl-C.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from sparkleform.federation.sid import str_to_sid

BASE_DN = "dc=corp,dc=example"
DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
SERVICE_DN = f"cn=sparkleform-proxy,ou=Service,{BASE_DN}"
SERVICE_PASSWORD = "svc-Pa55-word"  # a test directory's service account, not a secret
ADMIN_DN = f"cn=admin,{BASE_DN}"  # the directory's rootdn: tests change memberships with it
ADMIN_PASSWORD = "admin-Pa55"

# The AD-like attributes under OpenLDAP's experimental arc (1.3.6.1.4.1.4203.666).
SCHEMA = """
attributetype ( 1.3.6.1.4.1.4203.666.11.1 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.4203.666.11.2 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.4203.666.11.3 NAME 'objectSid'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.4203.666.11.4 NAME 'memberOf'
  EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
objectclass ( 1.3.6.1.4.1.4203.666.12.1 NAME 'user' SUP inetOrgPerson STRUCTURAL
  MAY ( sAMAccountName $ userPrincipalName $ objectSid $ memberOf ) )
objectclass ( 1.3.6.1.4.1.4203.666.12.2 NAME 'group' SUP top STRUCTURAL
  MUST cn MAY ( sAMAccountName $ objectSid $ member $ memberOf $ description ) )
"""


@dataclass
class Group:
    name: str
    rid: int | None  # None: a group without objectSid
    members: list[str] = field(default_factory=list)  # user names or group names

    @property
    def sid(self) -> str | None:
        return None if self.rid is None else f"{DOMAIN_SID}-{self.rid}"

    @property
    def dn(self) -> str:
        return f"cn={self.name},ou=Groups,{BASE_DN}"


@dataclass
class User:
    name: str
    password: str

    @property
    def dn(self) -> str:
        return f"cn={self.name},ou=Users,{BASE_DN}"


USERS = [User("alice", "alice-Pa55"), User("bob", "bob-Pa55"), User("carol", "carol-Pa55")]
GROUPS = [
    Group("AWS-Administrators", 1101, ["alice"]),
    Group("AWS-PowerUsers", 1102, ["Engineers"]),  # bob is in it only through Engineers
    Group("AWS-ReadOnly", 1103, ["alice", "bob"]),
    Group("Engineers", 1104, ["bob"]),
    Group("Staff", 1105, ["alice", "bob", "carol"]),
    Group("AWS-Billing", None, ["alice"]),  # no objectSid: never offered, even with a role of its name
]


def _ssha(password: str) -> str:
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def build_ldif(users: list[User] = USERS, groups: list[Group] = GROUPS) -> str:
    by_name = {g.name: g for g in groups}
    entries = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Example Corp",
        *(f"dn: ou={ou},{BASE_DN}\nobjectClass: organizationalUnit\nou: {ou}" for ou in ("Users", "Groups", "Service")),
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: sparkleform-proxy\nuserPassword: {_ssha(SERVICE_PASSWORD)}",
    ]
    for rid, user in enumerate(users, start=2001):
        lines = [f"dn: {user.dn}", "objectClass: user", f"cn: {user.name}", f"sn: {user.name.title()}",
                 f"sAMAccountName: {user.name}", f"userPrincipalName: {user.name}@corp.example",
                 f"objectSid:: {_b64(str_to_sid(f'{DOMAIN_SID}-{rid}'))}", f"userPassword: {_ssha(user.password)}"]
        lines += [f"memberOf: {g.dn}" for g in groups if user.name in g.members]  # direct groups, as AD
        entries.append("\n".join(lines))
    for group in groups:
        lines = [f"dn: {group.dn}", "objectClass: group", f"cn: {group.name}", f"sAMAccountName: {group.name}"]
        if group.sid:
            lines.append(f"objectSid:: {_b64(str_to_sid(group.sid))}")
        for member in group.members:
            lines.append(f"member: {by_name[member].dn if member in by_name else User(member, '').dn}")
        lines += [f"memberOf: {g.dn}" for g in groups if group.name in g.members]
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_slapd() -> str | None:
    for candidate in (shutil.which("slapd"), "/usr/sbin/slapd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class Slapd:
    process: subprocess.Popen
    port: int
    tls_port: int
    ca_file: Path
    directory: Path

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(directory: Path, certs, port: int = 0, tls_port: int = 0) -> Slapd:
    """Write schema, config and data under `directory`, load them with slapadd, start slapd."""
    slapd = find_slapd()
    if slapd is None:
        raise FileNotFoundError("slapd is not installed (apt-get install slapd)")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "db").mkdir(exist_ok=True)
    (directory / "ad-like.schema").write_text(SCHEMA)
    modules = "/usr/lib/ldap"
    conf = directory / "slapd.conf"
    conf.write_text(f"""
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include {directory / 'ad-like.schema'}
pidfile {directory / 'slapd.pid'}
modulepath {modules}
moduleload back_mdb
TLSCACertificateFile {certs.ca_file}
TLSCertificateFile {certs.cert_file}
TLSCertificateKeyFile {certs.key_file}
database mdb
maxsize 10485760
suffix "{BASE_DN}"
directory {directory / 'db'}
rootdn "{ADMIN_DN}"
rootpw {_ssha(ADMIN_PASSWORD)}
access to attrs=userPassword by self =w by anonymous auth by * none
access to * by users read by * none
""")
    (directory / "data.ldif").write_text(build_ldif())
    subprocess.run([slapd.replace("slapd", "slapadd") if slapd.endswith("slapd") else "slapadd",
                    "-f", str(conf), "-l", str(directory / "data.ldif")],
                   check=True, capture_output=True)
    port, tls_port = port or _free_port(), tls_port or _free_port()
    process = subprocess.Popen(
        [slapd, "-f", str(conf), "-h", f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/", "-d", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Slapd(process, port, tls_port, certs.ca_file, directory)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("slapd did not listen within 15 s")


if __name__ == "__main__":  # pragma: no cover - the docs' manual run
    from _fed_tls import make_certs

    root = Path(sys.argv[1] if len(sys.argv) > 1 else "slapd-ad").resolve()
    ports = [int(p) for p in sys.argv[2:4]] + [0, 0]
    server = start(root, make_certs(root / "certs"), ports[0], ports[1])
    print(f"slapd on {server.url} and {server.ldaps_url} (CA {server.ca_file}); base DN {BASE_DN}")
    print(f"service account {SERVICE_DN}; users: " + ", ".join(f"{u.name}/{u.password}" for u in USERS))
    import signal

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()
