"""USER, PASS, ACCT, QUIT, REIN, HOST: site selection, credentials, login.

Distrusts the login name (it may carry a `host|user` or `host\\user` prefix and
becomes a home-folder segment only through isolation.py) and the password
(never logged; checked off the event loop by the authenticate callback). The
control-channel SSL policy is enforced on USER, before any password is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iisftp.model.site import FtpSite, Permission
from iisftp.server import messages
from iisftp.server import replies as R
from iisftp.server.authz import Identity
from iisftp.server.effects import Authenticate, CloseData, LoginFailed, StopTls
from iisftp.server.isolation import user_view

if TYPE_CHECKING:
    from iisftp.server.session import FtpSession

ANONYMOUS_NAMES = ("anonymous", "ftp")


def _split_host(s: FtpSession, login: str) -> tuple[FtpSite | None, str, bool]:
    """(site, user name, host given) for `host|user`, `host\\user` or `user`."""
    if "|" in login:
        host, _, name = login.partition("|")
        return s.config.site_for_host(host), name, True
    if s.config.use_domain_name_as_host_name and "\\" in login:
        host, _, name = login.partition("\\")
        site = s.config.site_for_host(host)
        if site is not None:
            return site, name, True
    return s.site, login, s.host_chosen


def user(s: FtpSession, arg: str) -> None:
    from iisftp.server.session import State

    if s.user is not None:
        _logout(s)
    site, name, _ = _split_host(s, arg)
    if site is None:
        s.send(R.HOSTNAME_EXPECTED)
        return
    s.site = site
    refusal = s.control_policy_error()
    if refusal is not None:
        s.send(refusal)
        if s.state is not State.NEED_USER:
            s.goto(State.NEED_USER)
        return
    s.login_name = name
    s.goto(State.NEED_PASS)
    auth = site.authentication
    if name.lower() in ANONYMOUS_NAMES and auth.anonymous_enabled:
        s.send(R.ANONYMOUS_OK)
    else:
        s.send(R.PASSWORD_REQUIRED)


def password(s: FtpSession, arg: str) -> None:
    from iisftp.server.session import State

    if s.state is not State.NEED_PASS or s.site is None:
        s.send(R.BAD_SEQUENCE)
        return
    refusal = s.control_policy_error()
    if refusal is not None:  # e.g. PASS pipelined after a refused USER
        s.send(refusal)
        s.goto(State.NEED_USER)
        return
    auth = s.site.authentication
    name = s.login_name
    if name.lower() in ANONYMOUS_NAMES:
        if auth.anonymous_enabled:
            s.suspend(State.CHECKING, State.READY)
            finish_login(s, Identity(auth.anonymous_user, anonymous=True))
            return
        s.send(R.LOGIN_FAILED)
        s.send(LoginFailed())
        s.goto(State.NEED_USER)
        return
    if not (auth.basic_enabled or auth.custom_providers):
        s.send(R.LOGIN_FAILED)
        s.send(LoginFailed())
        s.goto(State.NEED_USER)
        return
    s.suspend(State.CHECKING, State.READY)
    s.send(Authenticate(name, arg))


def finish_login(s: FtpSession, who: object | None) -> None:
    """Result of the authenticate callback (or an anonymous identity)."""
    from iisftp.server.session import State, log

    assert s.site is not None
    if who is None:
        log.info("%s login failed for %r", s.peer.session_id[:8], s.login_name)
        s.send(R.LOGIN_FAILED)
        s.send(LoginFailed())
        s.goto(State.NEED_USER)
        return
    if not isinstance(who, Identity):
        roles = frozenset(r.lower() for r in getattr(who, "roles", ()))
        who = Identity(str(getattr(who, "name", s.login_name)), roles)
    found = user_view(s.site, who)
    if found is None:
        s.send(R.HOME_INACCESSIBLE)
        s.goto(State.NEED_USER)
        return
    s.user, (s.view, s.cwd) = who, found
    if not s.allowed(s.cwd, Permission.READ) and not s.allowed(s.cwd, Permission.WRITE):
        s.user = s.view = None
        s.send(R.HOME_INACCESSIBLE)
        s.goto(State.NEED_USER)
        return
    s.goto(State.READY)
    log.info("%s %s logged in to %s", s.peer.session_id[:8], who.name, s.site.name)
    m = s.site.messages
    s.send(messages.with_message(230, m.greeting, R.LOGGED_IN, m, s.variables()))


def _logout(s: FtpSession) -> None:
    s.user = s.view = None
    s.cwd = "/"
    s.rest = 0
    s.rename_from = None
    if s.data is not None:
        s.send(CloseData())
    s.data = None


def acct(s: FtpSession, arg: str) -> None:
    s.send(R.reply(202, "ACCT command not implemented, superfluous at this site."))


def quit(s: FtpSession, arg: str) -> None:
    m = (s.site or s.config.sites[0]).messages
    s.send(messages.instead(221, m.exit, R.GOODBYE, m, s.variables()))
    s.close()


def rein(s: FtpSession, arg: str) -> None:
    from iisftp.server.session import State

    _logout(s)
    s.epsv_all = False
    s.type = "A"
    s.send(s.banner())
    if s.secure and not s.config.implicit:
        # [MS-FTPS]: REIN also ends TLS on the control channel.
        s.pbsz, s.prot, s.prot_failed = False, "C", False
        s.suspend(State.SWITCHING, State.NEED_USER)
        s.send(StopTls(s.pending_bytes()))
    elif s.state is not State.NEED_USER:
        s.goto(State.NEED_USER)


def host(s: FtpSession, arg: str) -> None:
    from iisftp.server.session import State

    if s.user is not None or s.state is State.NEED_PASS:  # RFC 7151: HOST comes before USER
        s.send(R.BAD_SEQUENCE)
        return
    site = s.config.site_for_host(arg)
    if site is None:
        s.send(R.HOSTNAME_EXPECTED)
        return
    s.site, s.host_chosen = site, True
    s.send(R.reply(220, "Host accepted."))
