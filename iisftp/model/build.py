"""Build the typed site model (iisftp.model.site) from an effective configuration.

Every site with an `ftp` binding becomes an FtpSite; its ftpServer settings are
merged schema default < siteDefaults < site, and its location-scoped
system.ftpServer sections become PathPolicy entries keyed by FTP path. Values
arrive parsed by the schema; text is coerced strictly only where a section had
no schema loaded. Problems raise ConfigError with the file:line of the value.
"""

from __future__ import annotations

import datetime
import enum
import os
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from iisftp.config.bindings import is_windows_absolute, parse_binding_information
from iisftp.config.config import Config, SiteView
from iisftp.config.effective import EffectiveElement
from iisftp.errors import ConfigError
from iisftp.model.site import (
    Authentication,
    AuthorizationRule,
    Binding,
    CommandFilter,
    Connections,
    ControlChannelPolicy,
    DataChannelPolicy,
    DataChannelSecurity,
    FileHandling,
    FtpSite,
    IpRule,
    IsolationMode,
    LogFields,
    LogFile,
    LogPeriod,
    Messages,
    PathPolicy,
    Permission,
    RequestFiltering,
    SelectiveLogging,
    ServerSettings,
    ShowFlags,
    SslSettings,
    VirtualDirectory,
)

__all__ = ["build_path_policy", "build_server_settings", "build_site"]

IMPLICIT_TLS_PORT = 990
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$")
AUTHORIZATION = "system.ftpServer/security/authorization"
REQUEST_FILTERING = "system.ftpServer/security/requestFiltering"
IP_SECURITY = "system.ftpServer/security/ipSecurity"


class _Values:
    """Typed reads from an EffectiveElement with the model's defaults."""

    def __init__(self, element: EffectiveElement) -> None:
        self.e = element

    def _get(self, attr: str) -> Any:
        return self.e.get(attr)

    def _bad(self, attr: str, expected: str) -> ConfigError:
        return ConfigError(
            f"{self.e.name}/@{attr}={self.e.raw(attr)!r} is not {expected}",
            hint="fix the value (run `iisftp validate`)",
            where=self.e.origin(attr),
        )

    def bool(self, attr: str, default: bool) -> bool:
        value = self._get(attr)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise self._bad(attr, "true or false")

    def int(self, attr: str, default: int) -> int:
        value = self._get(attr)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise self._bad(attr, "a number")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise self._bad(attr, "a number") from None

    def str(self, attr: str, default: str = "") -> str:
        value = self._get(attr)
        return default if value is None else str(value)

    def enum(self, attr: str, enum_type: Any, default: Any) -> Any:
        value = self._get(attr)
        if value is None or value == "":
            return default
        for member in enum_type:
            if str(value).lower() == member.value.lower():
                return member
        raise self._bad(attr, "one of " + ", ".join(m.value for m in enum_type))

    def seconds(self, attr: str, default: float) -> float:
        value = self._get(attr)
        if value is None or value == "":
            return default
        if isinstance(value, datetime.timedelta):
            return value.total_seconds()
        # No schema for this section: read .NET's [d.]hh:mm:ss[.fff] ourselves.
        match = _TIMESPAN.match(str(value).strip())
        if not match:
            raise self._bad(attr, "a time span [d.]hh:mm:ss")
        days, hours, minutes, seconds = match.groups()
        return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)

    def flags(self, attr: str, names: Mapping[str, int]) -> int:
        value = self._get(attr)
        if value is None or value == "":
            return 0
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        folded = {k.lower(): v for k, v in names.items()}
        total = 0
        for part in str(value).split(","):
            name = part.strip().lower()
            if name and name != "none":
                if name not in folded:
                    raise self._bad(attr, "a list of " + ", ".join(names))
                total |= folded[name]
        return total


def _names(text: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in text.split(",") if p.strip())


def build_server_settings(
    config: Config, variables: Mapping[str, str] | None = None
) -> ServerSettings:
    """Every site with an `ftp` binding, plus the server-level system.ftpServer settings.

    `variables` (for `%VAR%` in physical paths) overlay the config's own variables.
    """
    env = dict(config.variables)
    if variables:
        env.update(variables)
    memo = _Memo()
    sites = tuple(
        build_site(config, view, env, memo) for view in config.sites() if "ftp" in view.protocols
    )
    firewall = _Values(config.effective("system.ftpServer/firewallSupport"))
    low = firewall.int("lowDataChannelPort", 0)
    high = firewall.int("highDataChannelPort", 0)
    runtime = config.effective("system.ftpServer/serverRuntime")
    host_names = _Values(runtime.child("hostNameSupport"))
    authentication = config.effective("system.ftpServer/security/authentication")
    deny = _Values(authentication.child("denyByFailure"))
    log = config.effective("system.ftpServer/log")
    return ServerSettings(
        sites=sites,
        passive_port_range=(low, high) if (low or high) else None,
        use_domain_name_as_host_name=host_names.bool("useDomainNameAsHostName", False),
        deny_by_failure_enabled=deny.bool("enabled", False),
        deny_by_failure_max=deny.int("maxFailure", 4),
        deny_by_failure_expiration=deny.seconds("entryExpiration", 30.0),
        central_log_file_mode=_Values(log)
        .enum("centralLogFileMode", _LogMode, _LogMode.SITE)
        .value,
        central_log_file=_log_file(log.child("centralLogFile"), env),
        log_in_utf8=_Values(log).bool("logInUTF8", True),
    )


class _LogMode(enum.Enum):
    SITE = "Site"
    CENTRAL = "Central"


def _log_file(element: EffectiveElement, variables: Mapping[str, str]) -> LogFile:
    """ftpServer/logFile or system.ftpServer/log/centralLogFile."""
    values = _Values(element)
    try:
        directory = element.expanded("directory", variables) or ""
    except ConfigError:
        # The default %SystemDrive%\inetpub\logs\LogFiles names a variable most
        # hosts lack: keep the text (relative, so the server warns and does not log).
        directory = values.str("directory")
    return LogFile(
        enabled=values.bool("enabled", True),
        directory=_host_path(directory),
        period=values.enum("period", LogPeriod, LogPeriod.DAILY),
        truncate_size=values.int("truncateSize", 20971520),
        local_time_rollover=values.bool("localTimeRollover", False),
        fields=LogFields(values.flags("logExtFileFlags", LogFields.__members__) & sum(LogFields)),
        selective=SelectiveLogging(
            values.flags("selectiveLogging", SelectiveLogging.__members__) & 7
        ),
    )


class _Memo:
    """Results that many sites share, computed once per build.

    A site's ftpServer settings depend only on the schema, siteDefaults and the
    site's own `<ftpServer>` subtree; a path policy only on the section elements
    (layers) that apply there. Both are keyed on exactly that, so 10,000 sites
    written alike cost one resolution, not 10,000."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, object], Any] = {}
        self.sections: dict[tuple[str, tuple[int, ...]], Any] = {}


def build_site(
    config: Config, view: SiteView, variables: Mapping[str, str], memo: _Memo | None = None
) -> FtpSite:
    """One FtpSite from a site's effective settings."""
    memo = memo or _Memo()
    return FtpSite(
        name=view.name,
        id=view.id or 0,
        bindings=_bindings(view),
        virtual_directories=_virtual_directories(view, variables),
        path_policies=_path_policies(config, view, memo),
        **_ftp_server(view, variables, memo),
    )


def _ftp_server(view: SiteView, variables: Mapping[str, str], memo: _Memo) -> dict[str, Any]:
    """The FtpSite fields that come from the effective `<ftpServer>` element.

    Each part depends only on the schema, siteDefaults and the site's own element
    at that path, so it is resolved once per distinct own element (its canonical
    XML): sites that differ only in their certificate share everything else."""
    own = view.element.find("ftpServer")
    ftp: EffectiveElement | None = None
    fields: dict[str, Any] = {}
    for name, path, build in _FTP_PARTS:
        if own is None:
            key: object = None
        elif not path:
            key = tuple(sorted(own.attrib.items()))
        else:
            sub = own.find(path)
            key = None if sub is None else etree.tostring(sub, method="c14n")
        found = memo.parts.get((name, key), memo)
        if found is memo:
            ftp = ftp or view.effective.child("ftpServer")
            found = memo.parts[(name, key)] = build(ftp.path(path) if path else ftp, variables)
        if isinstance(found, dict):
            fields.update(found)
        else:
            fields[name] = found
    return fields


def _top(ftp: EffectiveElement, _: Mapping[str, str]) -> dict[str, bool]:
    top = _Values(ftp)
    return {
        "server_auto_start": top.bool("serverAutoStart", True),
        "allow_utf8": top.bool("allowUTF8", True),
    }


def _ssl(element: EffectiveElement, _: Mapping[str, str]) -> SslSettings:
    ssl = _Values(element)
    return SslSettings(
        cert_hash="".join(ssl.str("serverCertHash").split()).upper(),
        cert_store=ssl.str("serverCertStoreName", "MY") or "MY",
        control=ssl.enum(
            "controlChannelPolicy", ControlChannelPolicy, ControlChannelPolicy.REQUIRE
        ),
        data=ssl.enum("dataChannelPolicy", DataChannelPolicy, DataChannelPolicy.REQUIRE),
        ssl128=ssl.bool("ssl128", False),
        require_session_reuse=ssl.bool("requireSessionReuse", True),
    )


def _authentication(auth: EffectiveElement, _: Mapping[str, str]) -> Authentication:
    anonymous = _Values(auth.child("anonymousAuthentication"))
    return Authentication(
        anonymous_enabled=anonymous.bool("enabled", False),
        anonymous_user=anonymous.str("userName", "IUSR"),
        basic_enabled=_Values(auth.child("basicAuthentication")).bool("enabled", False),
        custom_providers=tuple(
            _Values(p).str("name")
            for p in auth.child("customAuthentication").child("providers").collection()
            if _Values(p).bool("enabled", True)
        ),
    )


def _connections(element: EffectiveElement, _: Mapping[str, str]) -> Connections:
    connections = _Values(element)
    return Connections(
        unauthenticated_timeout=connections.int("unauthenticatedTimeout", 30),
        control_channel_timeout=connections.int("controlChannelTimeout", 120),
        data_channel_timeout=connections.int("dataChannelTimeout", 30),
        server_listen_backlog=connections.int("serverListenBacklog", 60),
        min_bytes_per_second=connections.int("minBytesPerSecond", 240),
        max_connections=connections.int("maxConnections", 4294967295),
        reset_on_max_connections=connections.bool("resetOnMaxConnections", False),
    )


def _messages(element: EffectiveElement, _: Mapping[str, str]) -> Messages:
    messages = _Values(element)
    return Messages(
        banner=messages.str("bannerMessage"),
        greeting=messages.str("greetingMessage"),
        exit=messages.str("exitMessage"),
        max_clients=messages.str("maxClientsMessage"),
        suppress_default_banner=messages.bool("suppressDefaultBanner", False),
        allow_local_detailed_errors=messages.bool("allowLocalDetailedErrors", True),
        expand_variables=messages.bool("expandVariables", False),
    )


def _command_filter(filtering: EffectiveElement, _: Mapping[str, str]) -> CommandFilter:
    return CommandFilter(
        max_command_line=_Values(filtering).int("maxCommandLine", 4096),
        allow_unlisted=_Values(filtering).bool("allowUnlisted", True),
        rules={
            _Values(rule).str("command").upper(): _Values(rule).bool("allowed", True)
            for rule in filtering.collection()
        },
    )


def _data_channel(element: EffectiveElement, _: Mapping[str, str]) -> DataChannelSecurity:
    channel = _Values(element)
    return DataChannelSecurity(
        match_client_address_for_port=channel.bool("matchClientAddressForPort", True),
        match_client_address_for_pasv=channel.bool("matchClientAddressForPasv", True),
    )


def _file_handling(element: EffectiveElement, _: Mapping[str, str]) -> FileHandling:
    handling = _Values(element)
    return FileHandling(
        keep_partial_uploads=handling.bool("keepPartialUploads", False),
        allow_replace_on_rename=handling.bool("allowReplaceOnRename", False),
        allow_read_uploads_in_progress=handling.bool("allowReadUploadsInProgress", False),
    )


# FtpSite field (or "" for several, returned as a dict), path below ftpServer, builder.
_FTP_PARTS: tuple[tuple[str, str, Any], ...] = (
    ("", "", _top),
    ("ssl", "security/ssl", _ssl),
    ("authentication", "security/authentication", _authentication),
    ("connections", "connections", _connections),
    ("messages", "messages", _messages),
    ("command_filter", "security/commandFiltering", _command_filter),
    ("data_channel_security", "security/dataChannelSecurity", _data_channel),
    ("file_handling", "fileHandling", _file_handling),
    (
        "external_ip4_address",
        "firewallSupport",
        lambda e, _: _Values(e).str("externalIp4Address"),
    ),
    (
        "show_flags",
        "directoryBrowse",
        lambda e, _: ShowFlags(
            _Values(e).flags("showFlags", ShowFlags.__members__) & sum(ShowFlags)
        ),
    ),
    (
        "user_isolation",
        "userIsolation",
        lambda e, _: _Values(e).enum("mode", IsolationMode, IsolationMode.NONE),
    ),
    ("log_file", "logFile", _log_file),
)


def _bindings(view: SiteView) -> tuple[Binding, ...]:
    result = []
    for item in view.effective.child("bindings").collection():
        if item.layers[-1].element.getparent().getparent() is not view.element:
            continue  # siteDefaults/bindings: a template, not a listener of every site
        values = _Values(item)
        if values.str("protocol").lower() != "ftp":
            continue
        info = values.str("bindingInformation")
        try:
            parsed = parse_binding_information(info)
        except ValueError as exc:
            raise ConfigError(
                f"site '{view.name}': bindingInformation=\"{info}\" is malformed: {exc}",
                hint="write it as ip:port:host, e.g. *:21: or [::1]:21:",
                where=item.origin("bindingInformation"),
            ) from None
        implicit = parsed.port == IMPLICIT_TLS_PORT or values.bool("implicitSsl", False)
        result.append(Binding(parsed.ip, parsed.port, parsed.host, implicit_tls=implicit))
    return tuple(result)


def _join(*parts: str) -> str:
    segments = [s for p in parts for s in p.replace("\\", "/").split("/") if s]
    return "/" + "/".join(segments)


def _virtual_directories(
    view: SiteView, variables: Mapping[str, str]
) -> tuple[VirtualDirectory, ...]:
    found: dict[str, VirtualDirectory] = {}
    for app in view.effective.collection():
        app_path = _Values(app).str("path", "/")
        for vdir in app.collection():
            ftp_path = _join(app_path, _Values(vdir).str("path", "/"))
            physical = _host_path(vdir.expanded("physicalPath", variables) or "")
            # IIS-COMPAT: the first definition of a path wins, like IIS's own lookup.
            found.setdefault(ftp_path.lower(), VirtualDirectory(ftp_path, physical))
    return tuple(sorted(found.values(), key=lambda v: v.path.lower()))


def _host_path(physical: str) -> str:
    """An IIS physical path as a path on this host.

    IIS-COMPAT: IIS paths use backslashes (`%SystemDrive%\\inetpub\\ftproot`); on a
    POSIX host they become slashes once the variables are expanded. A drive letter
    or UNC share left after expansion means nothing here: it is kept as written
    (so the server fails to find it and says so), and `iisftp validate` warns
    about it (IIS019) with the ways to map it."""
    if os.sep == "\\" or is_windows_absolute(physical):
        return physical
    return physical.replace("\\", "/")


def _path_policies(config: Config, site: SiteView, memo: _Memo) -> dict[str, PathPolicy]:
    policies = {"/": build_path_policy(config, site.name, memo)}
    paths = config.location_paths(site.name)
    for path in paths:
        if "/" in path:
            policies[_join(path.split("/", 1)[1])] = build_path_policy(config, path, memo)
    if any(config.blocks_child_applications(path) for path in paths):
        # IIS-COMPAT: inheritInChildApplications="false" stops at application roots,
        # so each application below gets its own entry (resolved without it).
        for app in site.effective.collection():
            app_path = _join(str(app.get("path") or "/"))
            if app_path != "/" and app_path not in policies:
                policies[app_path] = build_path_policy(config, site.name + app_path, memo)
    return policies


def build_path_policy(config: Config, path: str, memo: _Memo | None = None) -> PathPolicy:
    """The location-scoped system.ftpServer sections in force at "Site[/sub]"."""
    memo = memo or _Memo()

    def section(name: str, build: Any) -> Any:
        # Keyed on the layer elements themselves (kept alive by the key), so a
        # path with the same applicable elements reuses the parsed result.
        key = (name, tuple(layer.element for layer in config.section_layers(name, path)))
        if key not in memo.sections:
            memo.sections[key] = build(config.effective(name, path))
        return memo.sections[key]

    allow_unlisted, ip_rules = section(IP_SECURITY, _ip_security)
    return PathPolicy(
        authorization=section(AUTHORIZATION, _authorization),
        request_filtering=section(REQUEST_FILTERING, _request_filtering),
        ip_allow_unlisted=allow_unlisted,
        ip_rules=ip_rules,
    )


def _authorization(section: EffectiveElement) -> tuple[AuthorizationRule, ...]:
    rules = []
    for item in section.collection():
        values = _Values(item)
        rules.append(
            AuthorizationRule(
                allow=values.str("accessType").lower() == "allow",
                users=_names(values.str("users")),
                roles=_names(values.str("roles")),
                permissions=Permission(values.flags("permissions", Permission.__members__) & 3),
            )
        )
    return tuple(rules)


def _request_filtering(filtering: EffectiveElement) -> RequestFiltering:
    extensions = filtering.child("fileExtensions")
    limits = _Values(filtering.child("requestLimits"))
    return RequestFiltering(
        allow_high_bit_characters=_Values(filtering).bool("allowHighBitCharacters", True),
        file_extensions_allow_unlisted=_Values(extensions).bool("allowUnlisted", True),
        file_extensions={
            _Values(e).str("fileExtension").lower(): _Values(e).bool("allowed", True)
            for e in extensions.collection()
        },
        hidden_segments=frozenset(
            _Values(s).str("segment").lower()
            for s in filtering.child("hiddenSegments").collection()
        ),
        deny_url_sequences=tuple(
            _Values(s).str("sequence") for s in filtering.child("denyUrlSequences").collection()
        ),
        max_allowed_content_length=limits.int("maxAllowedContentLength", 0),
        max_url=limits.int("maxUrl", 4096),
    )


def _ip_security(ip_security: EffectiveElement) -> tuple[bool, tuple[IpRule, ...]]:
    rules = tuple(
        IpRule(
            ip_address=_Values(r).str("ipAddress"),
            subnet_mask=_Values(r).str("subnetMask", "255.255.255.255") or "255.255.255.255",
            domain_name=_Values(r).str("domainName"),
            allowed=_Values(r).bool("allowed", False),
        )
        for r in ip_security.collection()
    )
    return _Values(ip_security).bool("allowUnlisted", True), rules
