"""Active Directory over LDAP (ldap3): find a user, check the password by binding as the user,
and read the user's groups with their SIDs (memberOf or a member search, nested optionally).

Every value put into a search filter is escaped as RFC 4515 says, so a user name such as
`*)(sAMAccountName=*` is looked up as that literal name. The password is used for one bind
and never kept.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from sparkleform.federation.config import LdapConfig
from sparkleform.federation.sid import SidError, sid_to_str

# AD's LDAP_MATCHING_RULE_IN_CHAIN: membership through any depth of nested groups.
IN_CHAIN = "1.2.840.113556.1.4.1941"
MAX_NESTING = 32
GROUP_ATTRIBUTES = ["cn", "sAMAccountName", "objectSid"]


class DirectoryError(Exception):
    """The directory could not be reached or answered with an error (not a wrong password)."""


class AuthenticationFailed(Exception):
    """Unknown user or wrong password (deliberately not told apart)."""


@dataclass(frozen=True)
class Person:
    name: str
    dn: str


@dataclass(frozen=True)
class Group:
    name: str
    dn: str
    sid: str | None


def escape_filter_value(value: str) -> str:
    """RFC 4515 escaping of an assertion value: \\ * ( ) NUL as \\XX (and non-ASCII as UTF-8 \\XX)."""
    out = []
    for ch in value:
        if ch in "\\*()\x00":
            out.append(f"\\{ord(ch):02x}")
        elif ord(ch) > 0x7E:
            out.extend(f"\\{b:02x}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


class Directory:
    def __init__(self, config: LdapConfig) -> None:
        self.config = config
        self._pool = None

    def _servers(self):
        import ldap3

        if self._pool is None:
            tls = ldap3.Tls(ca_certs_file=self.config.ca_file, validate=ssl.CERT_REQUIRED,
                            version=ssl.PROTOCOL_TLS_CLIENT)
            servers = [
                ldap3.Server(url, use_ssl=url.startswith("ldaps://"), tls=tls, get_info=ldap3.NONE,
                             connect_timeout=int(self.config.timeout))
                for url in self.config.urls
            ]
            self._pool = ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=True)
        return self._pool

    def _connect(self, dn: str | None, password: str | None):
        """A bound connection (StartTLS before the bind when configured)."""
        import ldap3
        from ldap3.core import exceptions as lex

        conn = ldap3.Connection(
            self._servers(), user=dn, password=password, raise_exceptions=False,
            receive_timeout=int(self.config.timeout), read_only=True,
        )
        try:
            conn.open()
            if self.config.start_tls and not conn.start_tls():
                raise DirectoryError(f"StartTLS failed: {conn.result.get('description')}")
            if not conn.bind():
                conn.unbind()
                return None
        except lex.LDAPStartTLSError as exc:
            raise DirectoryError(f"StartTLS failed: {exc}") from None
        except (lex.LDAPSocketOpenError, lex.LDAPSocketReceiveError, lex.LDAPServerPoolExhaustedError,
                lex.LDAPSocketSendError, lex.LDAPSessionTerminatedByServerError) as exc:
            raise DirectoryError(f"the directory cannot be reached: {type(exc).__name__}") from None
        return conn

    def service_connection(self):
        conn = self._connect(self.config.bind_dn, self.config.bind_password())
        if conn is None:
            raise DirectoryError("the proxy's own bind ([ldap] bind_dn) was refused")
        return conn

    def find_user(self, conn, name: str) -> Person | None:
        import ldap3

        flt = f"(&(objectClass=user)({self.config.user_attribute}={escape_filter_value(name)}))"
        conn.search(self.config.base_dn, flt, ldap3.SUBTREE, attributes=[self.config.user_attribute], size_limit=2)
        entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        if len(entries) != 1:  # none, or an ambiguous name: never guess
            return None
        stored = entries[0]["attributes"].get(self.config.user_attribute)
        stored = stored[0] if isinstance(stored, list) and stored else stored
        return Person(name=str(stored or name), dn=entries[0]["dn"])  # the directory's spelling

    def authenticate(self, name: str, password: str) -> Person:
        """The user, after a successful bind as that user; AuthenticationFailed otherwise."""
        # An empty password is an unauthenticated bind (RFC 4513 5.1.2), which servers accept.
        if not name or not password or len(name) > 256:
            raise AuthenticationFailed()
        conn = self.service_connection()
        try:
            person = self.find_user(conn, name)
        finally:
            conn.unbind()
        if person is None:
            raise AuthenticationFailed()
        user_conn = self._connect(person.dn, password)
        if user_conn is None:
            raise AuthenticationFailed()
        user_conn.unbind()
        return person

    def lookup(self, name: str) -> tuple[Person | None, list[Group]]:
        """The user by name and the user's groups, through the proxy's own bind (one
        connection): what re-checking an entitlement needs."""
        conn = self.service_connection()
        try:
            person = self.find_user(conn, name)
            return person, (self._groups(conn, person) if person else [])
        finally:
            conn.unbind()

    # -- groups ---------------------------------------------------------------------------
    def groups(self, person: Person) -> list[Group]:
        conn = self.service_connection()
        try:
            return self._groups(conn, person)
        finally:
            conn.unbind()

    def _groups(self, conn, person: Person) -> list[Group]:
        if self.config.nested_groups == "matching-rule":
            chained = self._search_groups(conn, f"(member:{IN_CHAIN}:={escape_filter_value(person.dn)})")
            if chained:
                return chained
            # A server without AD's rule matches nothing: tell that apart from "no groups".
            if self._direct_groups(conn, person.dn):
                raise DirectoryError(f"the directory does not support the matching rule {IN_CHAIN} "
                                     "([ldap] nested_groups = \"matching-rule\"); use \"walk\"")
            return []
        direct = self._direct_groups(conn, person.dn)
        if self.config.nested_groups == "walk":
            return self._walk(conn, direct)
        return direct

    def _direct_groups(self, conn, dn: str) -> list[Group]:
        if self.config.group_lookup == "member":
            return self._search_groups(conn, f"(member={escape_filter_value(dn)})")
        import ldap3

        conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["memberOf"])
        entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        group_dns = entries[0]["attributes"].get("memberOf", []) if entries else []
        return [g for g in (self._read_group(conn, gdn) for gdn in group_dns) if g is not None]

    def _walk(self, conn, direct: list[Group]) -> list[Group]:
        seen = {g.dn.lower(): g for g in direct}
        frontier = list(direct)
        for _ in range(MAX_NESTING):
            if not frontier:
                break
            parents = [p for g in frontier for p in self._direct_groups(conn, g.dn)]
            frontier = [p for p in parents if p.dn.lower() not in seen]
            seen.update((p.dn.lower(), p) for p in frontier)
        return list(seen.values())

    def _search_groups(self, conn, member_filter: str) -> list[Group]:
        import ldap3

        conn.search(self.config.base_dn, f"(&(objectClass=group){member_filter})", ldap3.SUBTREE,
                    attributes=GROUP_ATTRIBUTES)
        if conn.result.get("result") not in (0, 4):  # success, size limit
            raise DirectoryError(f"group search failed: {conn.result.get('description')}")
        return [self._group(e) for e in conn.response or [] if e.get("type") == "searchResEntry"]

    def _read_group(self, conn, dn: str) -> Group | None:
        import ldap3

        conn.search(dn, "(objectClass=group)", ldap3.BASE, attributes=GROUP_ATTRIBUTES)
        entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        return self._group(entries[0]) if entries else None

    @staticmethod
    def _group(entry: dict) -> Group:
        attrs, raw = entry["attributes"], entry.get("raw_attributes", {})
        name = attrs.get("sAMAccountName") or attrs.get("cn")
        if isinstance(name, list):
            name = name[0] if name else ""
        sid = None
        if raw.get("objectSid"):
            try:
                sid = sid_to_str(raw["objectSid"][0])
            except SidError:
                sid = None  # a malformed SID entitles nothing
        return Group(name=str(name), dn=entry["dn"], sid=sid)
