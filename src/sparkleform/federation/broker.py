"""The AWS side of the proxy: list the IAM roles under the configured path, intersect them by
name with the user's AD groups, assume one with the group's SID as ExternalId, and turn the
temporary credentials into a console sign-in URL through the federation endpoint.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from sparkleform.federation.config import AwsConfig
from sparkleform.federation.directory import Group

DEFAULT_MAX_SESSION = 3600


class BrokerError(Exception):
    """AWS or the federation endpoint failed; the message holds no credentials."""


class RoleRefused(BrokerError):
    """STS refused the AssumeRole (the role's trust policy, e.g. a wrong ExternalId)."""


@dataclass(frozen=True)
class Entitlement:
    role_name: str
    role_arn: str
    group: str
    sid: str
    max_session_duration: int


def session_name(user: str) -> str:
    """The user name as a RoleSessionName (2-64 of [\\w+=,.@-]; anything else becomes '-')."""
    name = re.sub(r"[^\w+=,.@-]", "-", user, flags=re.ASCII)[:64]
    return name if len(name) >= 2 else (name + "--")[:2]


def entitlements(groups: list[Group], roles: list[dict]) -> list[Entitlement]:
    """AD groups ∩ IAM roles by name (case-insensitive, as both are), only groups with a SID.

    A group without objectSid entitles nothing: AssumeRole would go out without an
    ExternalId, and a trust policy condition on a missing key is not something to rely on.
    """
    by_name = {g.name.lower(): g for g in groups if g.sid}
    out = []
    for role in roles:
        group = by_name.get(role["RoleName"].lower())
        if group is not None and group.sid is not None:
            out.append(Entitlement(role["RoleName"], role["Arn"], group.name, group.sid,
                                   int(role.get("MaxSessionDuration") or DEFAULT_MAX_SESSION)))
    return sorted(out, key=lambda e: e.role_name.lower())


_botocore_sessions: dict = {}
_sessions_lock = threading.Lock()


def _botocore_session(profile: str | None):
    """One botocore session per profile per process: its loaded service models are reused."""
    import botocore.session

    with _sessions_lock:
        if profile not in _botocore_sessions:
            _botocore_sessions[profile] = botocore.session.get_session()
        return _botocore_sessions[profile]


class Broker:
    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self._clients: dict = {}
        self._lock = threading.Lock()

    def _client(self, service: str):
        """One client per service, made once (boto3 clients are thread-safe, sessions are not)."""
        with self._lock:
            if service not in self._clients:
                import boto3
                from botocore.config import Config

                session = boto3.session.Session(profile_name=self.config.profile, region_name=self.config.region,
                                                botocore_session=_botocore_session(self.config.profile))
                self._clients[service] = session.client(
                    service, endpoint_url=self.config.endpoint_url,
                    config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=15),
                )
            return self._clients[service]

    def _call(self, what: str, fn, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if what == "AssumeRole" and code in ("AccessDenied", "AccessDeniedException"):
                raise RoleRefused("AWS refused to let the proxy assume the role (its trust policy)") from None
            raise BrokerError(f"{what} failed: {code or exc}") from None
        except BotoCoreError as exc:
            raise BrokerError(f"{what} failed: {type(exc).__name__}") from None

    def check_identity(self) -> str:
        """The proxy's own ARN; an error when it is not [aws] proxy_user_arn."""
        arn = self._call("GetCallerIdentity", self._client("sts").get_caller_identity)["Arn"]
        expected = self.config.proxy_user_arn
        if expected and arn != expected:
            raise BrokerError(f"the proxy's AWS credentials are {arn}, not [aws] proxy_user_arn {expected}")
        return arn

    def roles(self) -> list[dict]:
        iam = self._client("iam")
        roles, marker = [], None
        while True:
            kwargs = {"PathPrefix": self.config.role_path_prefix, **({"Marker": marker} if marker else {})}
            page = self._call("ListRoles", iam.list_roles, **kwargs)
            roles += page.get("Roles", [])
            marker = page.get("Marker") if page.get("IsTruncated") else None
            if not marker:
                return roles

    def entitlements(self, groups: list[Group]) -> list[Entitlement]:
        return entitlements(groups, self.roles())

    def duration(self, entitlement: Entitlement) -> int:
        return max(900, min(self.config.session_duration, entitlement.max_session_duration))

    def assume(self, entitlement: Entitlement, user: str) -> dict:
        """Temporary credentials of the role for the user (ExternalId = the group's SID)."""
        if not entitlement.sid:  # never without an ExternalId (see entitlements())
            raise RoleRefused("the group has no SID")
        response = self._call(
            "AssumeRole", self._client("sts").assume_role,
            RoleArn=entitlement.role_arn, RoleSessionName=session_name(user),
            ExternalId=entitlement.sid, DurationSeconds=self.duration(entitlement),
        )
        return response["Credentials"]

    def signin_url(self, credentials: dict, duration: int) -> str:
        """getSigninToken with the credentials, then the Action=login URL (with the token)."""
        session = json.dumps({"sessionId": credentials["AccessKeyId"], "sessionKey": credentials["SecretAccessKey"],
                              "sessionToken": credentials["SessionToken"]})
        query = urllib.parse.urlencode({"Action": "getSigninToken", "SessionDuration": str(duration),
                                        "Session": session})
        endpoint = self.config.federation_url
        try:
            with urllib.request.urlopen(f"{endpoint}?{query}", timeout=15) as response:
                token = json.loads(response.read().decode("utf-8"))["SigninToken"]
        except urllib.error.HTTPError as exc:
            raise BrokerError(f"the federation endpoint answered {exc.code} to getSigninToken") from None
        except (urllib.error.URLError, OSError) as exc:
            raise BrokerError(f"the federation endpoint cannot be reached: {type(exc).__name__}") from None
        except (ValueError, KeyError):
            raise BrokerError("the federation endpoint's answer holds no SigninToken") from None
        login = urllib.parse.urlencode({"Action": "login", "Issuer": self.config.issuer,
                                        "Destination": self.config.destination_url, "SigninToken": token})
        return f"{endpoint}?{login}"
