"""The typed site model: what the server consumes.

Frozen values built from the effective configuration (iisftp.model.build). No
I/O, no XML, no runtime state: start/stop state and counters belong to the
server. Names follow the IIS attributes they come from.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "AuthorizationRule",
    "Binding",
    "CommandFilter",
    "Connections",
    "ControlChannelPolicy",
    "DataChannelPolicy",
    "FtpSite",
    "IpRule",
    "IsolationMode",
    "LogFields",
    "LogFile",
    "LogPeriod",
    "Messages",
    "PathPolicy",
    "Permission",
    "RequestFiltering",
    "SelectiveLogging",
    "ServerSettings",
    "ShowFlags",
    "SslSettings",
    "VirtualDirectory",
]

UNLIMITED = 4294967295


class ControlChannelPolicy(enum.Enum):
    ALLOW = "SslAllow"
    REQUIRE = "SslRequire"
    REQUIRE_CREDENTIALS_ONLY = "SslRequireCredentialsOnly"


class DataChannelPolicy(enum.Enum):
    ALLOW = "SslAllow"
    REQUIRE = "SslRequire"
    DENY = "SslDeny"


class IsolationMode(enum.Enum):
    START_IN_USERS_DIRECTORY = "StartInUsersDirectory"
    ISOLATE_ROOT_DIRECTORY_ONLY = "IsolateRootDirectoryOnly"
    ACTIVE_DIRECTORY = "ActiveDirectory"
    ISOLATE_ALL_DIRECTORIES = "IsolateAllDirectories"
    NONE = "None"
    CUSTOM = "Custom"


class ShowFlags(enum.IntFlag):
    """ftpServer/directoryBrowse/@showFlags."""

    NONE = 0
    LONG_DATE = 2
    STYLE_UNIX = 4
    DISPLAY_AVAILABLE_BYTES = 16
    DISPLAY_VIRTUAL_DIRECTORIES = 32
    USE_GMT_TIME = 64


class Permission(enum.IntFlag):
    """system.ftpServer/security/authorization/add/@permissions."""

    NONE = 0
    READ = 1
    WRITE = 2


class LogFields(enum.IntFlag):
    """ftpServer/logFile/@logExtFileFlags (member names = IIS flag names without case)."""

    DATE = 1
    TIME = 2
    CLIENTIP = 4
    USERNAME = 8
    SITENAME = 16
    COMPUTERNAME = 32
    SERVERIP = 64
    METHOD = 128
    URISTEM = 256
    FTPSTATUS = 1024
    WIN32STATUS = 2048
    BYTESSENT = 4096
    BYTESRECV = 8192
    TIMETAKEN = 16384
    SERVERPORT = 32768
    HOST = 1048576
    FTPSUBSTATUS = 2097152
    SESSION = 4194304
    FULLPATH = 8388608
    INFO = 16777216
    CLIENTPORT = 33554432
    PHYSICALPATH = 67108864


DEFAULT_LOG_FIELDS = LogFields(
    LogFields.DATE
    | LogFields.TIME
    | LogFields.CLIENTIP
    | LogFields.USERNAME
    | LogFields.SERVERIP
    | LogFields.METHOD
    | LogFields.URISTEM
    | LogFields.FTPSTATUS
    | LogFields.WIN32STATUS
    | LogFields.FTPSUBSTATUS
    | LogFields.SERVERPORT
    | LogFields.SESSION
    | LogFields.FULLPATH
)


class SelectiveLogging(enum.IntFlag):
    """ftpServer/logFile/@selectiveLogging."""

    LOGSUCCESSFUL = 1
    LOGERROR = 2
    LOGINFRASTRUCTURE = 4


ALL_SELECTIVE = (
    SelectiveLogging.LOGSUCCESSFUL
    | SelectiveLogging.LOGERROR
    | (SelectiveLogging.LOGINFRASTRUCTURE)
)


class LogPeriod(enum.Enum):
    MAX_SIZE = "MaxSize"
    DAILY = "Daily"
    WEEKLY = "Weekly"
    MONTHLY = "Monthly"
    HOURLY = "Hourly"


@dataclass(frozen=True)
class LogFile:
    """ftpServer/logFile (or system.ftpServer/log/centralLogFile): W3C logging."""

    enabled: bool = True
    directory: str = ""  # host path, %VAR% expanded; "" = none configured (no log)
    period: LogPeriod = LogPeriod.DAILY
    truncate_size: int = 20971520  # bytes; used only with MaxSize
    local_time_rollover: bool = False
    fields: LogFields = DEFAULT_LOG_FIELDS
    selective: SelectiveLogging = ALL_SELECTIVE


@dataclass(frozen=True)
class Binding:
    """One `ftp` binding: bindingInformation `ip:port:host`."""

    ip: str  # "*" for all unassigned; IPv6 without brackets
    port: int
    host: str = ""  # virtual host name; "" = none
    implicit_tls: bool = False  # port 990, or iisftp's binding/@implicitSsl extension

    @property
    def information(self) -> str:
        ip = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{ip}:{self.port}:{self.host}"


@dataclass(frozen=True)
class SslSettings:
    """ftpServer/security/ssl."""

    cert_hash: str = ""  # uppercase SHA-1 hex, "" = no certificate (SSL denied)
    cert_store: str = "MY"
    control: ControlChannelPolicy = ControlChannelPolicy.REQUIRE
    data: DataChannelPolicy = DataChannelPolicy.REQUIRE
    ssl128: bool = False
    # iisftp extension (schemas/iisftp_schema.xml): a PROT P data connection must
    # resume the control connection's TLS session, as vsftpd/ProFTPD/FileZilla require.
    require_session_reuse: bool = True


@dataclass(frozen=True)
class Authentication:
    anonymous_enabled: bool = False
    anonymous_user: str = "IUSR"
    basic_enabled: bool = False
    custom_providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Connections:
    """ftpServer/connections; timeouts in seconds (IIS stores them as int seconds)."""

    unauthenticated_timeout: int = 30
    control_channel_timeout: int = 120
    data_channel_timeout: int = 30
    server_listen_backlog: int = 60
    min_bytes_per_second: int = 240
    max_connections: int = UNLIMITED
    reset_on_max_connections: bool = False


@dataclass(frozen=True)
class Messages:
    banner: str = ""
    greeting: str = ""
    exit: str = ""
    max_clients: str = ""
    suppress_default_banner: bool = False
    allow_local_detailed_errors: bool = True
    expand_variables: bool = False


@dataclass(frozen=True)
class CommandFilter:
    """ftpServer/security/commandFiltering."""

    max_command_line: int = 4096
    allow_unlisted: bool = True
    rules: Mapping[str, bool] = field(default_factory=dict)  # upper-case verb -> allowed

    def allows(self, verb: str) -> bool:
        verb = verb.upper()
        if verb in self.rules:
            return self.rules[verb]
        return self.allow_unlisted


@dataclass(frozen=True)
class DataChannelSecurity:
    match_client_address_for_port: bool = True
    match_client_address_for_pasv: bool = True


@dataclass(frozen=True)
class FileHandling:
    keep_partial_uploads: bool = False
    allow_replace_on_rename: bool = False
    allow_read_uploads_in_progress: bool = False


@dataclass(frozen=True)
class VirtualDirectory:
    """An application or virtual directory: an FTP path mapped to a folder."""

    path: str  # FTP path: "/" or "/app/vdir" (forward slashes, no trailing slash)
    physical_path: str  # %VAR% already expanded; host path


@dataclass(frozen=True)
class AuthorizationRule:
    """One effective system.ftpServer/security/authorization entry."""

    allow: bool
    users: frozenset[str] = frozenset()  # lower-case names; "*" all, "?" anonymous
    roles: frozenset[str] = frozenset()  # lower-case role names
    permissions: Permission = Permission.NONE


@dataclass(frozen=True)
class IpRule:
    ip_address: str = ""
    subnet_mask: str = "255.255.255.255"
    domain_name: str = ""
    allowed: bool = False


@dataclass(frozen=True)
class RequestFiltering:
    allow_high_bit_characters: bool = True
    file_extensions_allow_unlisted: bool = True
    file_extensions: Mapping[str, bool] = field(default_factory=dict)  # ".exe" -> allowed
    hidden_segments: frozenset[str] = frozenset()  # lower-case
    deny_url_sequences: tuple[str, ...] = ()
    max_allowed_content_length: int = 0  # 0 = unlimited
    max_url: int = 4096


@dataclass(frozen=True)
class PathPolicy:
    """The location-scoped system.ftpServer settings in force at one FTP path."""

    authorization: tuple[AuthorizationRule, ...] = ()
    request_filtering: RequestFiltering = field(default_factory=RequestFiltering)
    ip_allow_unlisted: bool = True
    ip_rules: tuple[IpRule, ...] = ()


@dataclass(frozen=True)
class FtpSite:
    name: str
    id: int
    bindings: tuple[Binding, ...]
    virtual_directories: tuple[VirtualDirectory, ...]  # includes "/"
    server_auto_start: bool = True
    allow_utf8: bool = True
    ssl: SslSettings = field(default_factory=SslSettings)
    authentication: Authentication = field(default_factory=Authentication)
    connections: Connections = field(default_factory=Connections)
    messages: Messages = field(default_factory=Messages)
    command_filter: CommandFilter = field(default_factory=CommandFilter)
    data_channel_security: DataChannelSecurity = field(default_factory=DataChannelSecurity)
    file_handling: FileHandling = field(default_factory=FileHandling)
    external_ip4_address: str = ""
    show_flags: ShowFlags = ShowFlags.NONE
    user_isolation: IsolationMode = IsolationMode.NONE
    log_file: LogFile = field(default_factory=LogFile)
    # Effective location-scoped settings keyed by FTP path ("/" = the site's own
    # <location path="Site">, or the global section when there is none). The
    # builder adds one entry for every <location> under the site.
    path_policies: Mapping[str, PathPolicy] = field(default_factory=lambda: {"/": PathPolicy()})

    def policy_for(self, ftp_path: str) -> PathPolicy:
        """The policy of the deepest configured path containing `ftp_path` (case-insensitive)."""
        policies = _folded(self.path_policies)
        parts = [p for p in ftp_path.replace("\\", "/").split("/") if p]
        for depth in range(len(parts), -1, -1):
            key = "/" + "/".join(parts[:depth]).lower()
            if key in policies:
                return policies[key]
        return PathPolicy()


def _folded(policies: Mapping[str, PathPolicy]) -> dict[str, PathPolicy]:
    return {"/" + key.strip("/").lower(): value for key, value in policies.items()}


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server needs: the sites plus server-level system.ftpServer settings."""

    sites: tuple[FtpSite, ...]
    passive_port_range: tuple[int, int] | None = None  # firewallSupport low/high; None = any
    use_domain_name_as_host_name: bool = False  # serverRuntime/hostNameSupport
    deny_by_failure_enabled: bool = False
    deny_by_failure_max: int = 4
    deny_by_failure_expiration: float = 30.0  # seconds
    # system.ftpServer/log: "Site" = one log per site (FtpSite.log_file), "Central" =
    # one log for every site (central_log_file).
    central_log_file_mode: str = "Site"
    central_log_file: LogFile = field(default_factory=LogFile)
    log_in_utf8: bool = True
