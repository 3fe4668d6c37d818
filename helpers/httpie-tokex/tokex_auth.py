"""API credentials from tokex for Python requests.

    import requests
    from tokex_auth import TokexAuth

    requests.get(url, auth=TokexAuth("xdr"))

Every request runs `tokex json PROFILE` and sets each header of the answer's
"headers" object (Authorization: Bearer ..., or Cookie and X-CSRF-TOKEN for an
Ennov InSight session). tokex answers from its cache in about a millisecond
and refreshes the token when it is due, so nothing here keeps a token: a
long-running script never sends an expired one. With no profile, tokex picks
the one whose `match` covers the request's URL (`tokex match URL`).

No secret or token is ever put in a command line: tokex gets the profile
name, or for matching the URL without its user, password, query and fragment.
"""

import json
import os
import re
import shutil
import subprocess
from functools import partial
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase

__all__ = ["TokexAuth", "TokexError"]

# Above tokex's own bound (a profile's `timeout` is at most 600 s, and waiting
# for another tokex's lock counts against it), so tokex's message normally wins.
DEFAULT_TIMEOUT = 630

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")  # an RFC 9110 token
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MESSAGE_LIMIT = 500


class TokexError(requests.exceptions.RequestException):
    """tokex gave no credential. The message is tokex's own error line
    (`tokex: PROFILE: what happened: what to do`), which never holds a
    secret, or says why tokex could not be run or understood."""


class TokexAuth(AuthBase):
    """A requests auth that asks tokex for every request it prepares.

    profile: the tokex profile; "" (or None) picks the profile whose `match`
        covers the request URL.
    tokex: the tokex executable, a path or a name looked up on PATH.
    timeout: seconds tokex may take before the request fails.
    """

    def __init__(self, profile="", tokex="tokex", timeout=DEFAULT_TIMEOUT):
        self.profile = profile or ""
        self.tokex = tokex
        self.timeout = timeout
        _check_profile(self.profile)

    def __repr__(self):
        return f"TokexAuth({self.profile!r})"

    def __call__(self, request):
        profile = self.profile or _check_profile(self._run("match", _match_url(request.url)).strip())
        headers = _parse_headers(self._run("json", profile))
        for name, value in headers.items():
            if name.lower() == "cookie":
                request.headers["Cookie"] = _merge_cookies(request.headers.get("Cookie"), value)
            else:
                request.headers[name] = value
        # On a redirect requests drops Authorization when the host changes
        # (Cookie always), but keeps other headers (X-CSRF-TOKEN): the hook
        # drops them all when the origin changes.
        request.register_hook("response", partial(_drop_on_foreign_redirect, names=tuple(headers)))
        return request

    def _run(self, command, argument):
        """stdout of `tokex COMMAND ARGUMENT`, or TokexError with tokex's message."""
        executable = shutil.which(self.tokex) if os.sep not in self.tokex else self.tokex
        if not executable:
            raise TokexError(f"tokex: {self.tokex!r} not found on PATH; install tokex "
                             "or give its path: TokexAuth(profile, tokex='/path/to/tokex')")
        try:
            done = subprocess.run([executable, command, argument], stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TokexError(f"tokex {command} {argument}: no answer within {self.timeout} s") from None
        except OSError as e:
            raise TokexError(f"tokex: cannot run {executable}: {e.strerror}") from None
        if done.returncode != 0:
            raise TokexError(_error_line(done.stderr) or
                             f"tokex {command} {argument}: failed with exit code {done.returncode}")
        return done.stdout.decode("utf-8", "replace")


def _check_profile(profile):
    """profile, or TokexError when it cannot be a profile name (an option,
    control characters)."""
    if profile.startswith("-") or _CONTROL.search(profile):
        raise TokexError(f"not a tokex profile name: {profile[:64]!r}")
    return profile


def _match_url(url):
    """The URL tokex matches profiles against: scheme, host, port and path
    only, so that no user, password or query parameter reaches an argv."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))


def _error_line(stderr):
    """tokex's error: its last line on stderr (-v notes come before it)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return _CONTROL.sub("?", lines[-1])[:_MESSAGE_LIMIT] if lines else ""


def _parse_headers(stdout):
    """The "headers" object of `tokex json`, checked: names are tokens,
    values strings without control characters."""
    try:
        headers = json.loads(stdout)["headers"]
    except (ValueError, KeyError, TypeError):
        raise TokexError("tokex json: an answer without a headers object; is tokex too old?") from None
    if not isinstance(headers, dict) or not headers:
        raise TokexError("tokex json: an empty headers object")
    for name, value in headers.items():
        if not _HEADER_NAME.match(name) or not isinstance(value, str) or _CONTROL.search(value):
            # The value is not shown: it is a credential.
            raise TokexError(f"tokex json: header {name[:64]!r} is not a valid header, refused")
    return headers


def _merge_cookies(existing, ours):
    """Our cookies replace same-named ones the request already carries
    (from a session's jar) and join the others."""
    if not existing:
        return ours
    if isinstance(existing, bytes):  # HTTPie passes the headers given on its command line as bytes
        return _merge_cookies(existing.decode("latin-1"), ours).encode("latin-1")
    names = {pair.split("=", 1)[0].strip() for pair in ours.split(";")}
    kept = [pair.strip() for pair in existing.split(";")
            if pair.strip() and pair.split("=", 1)[0].strip() not in names]
    return "; ".join(kept + [ours])


def _origin(url):
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())


def _drop_on_foreign_redirect(response, names, **_):
    """A response hook: before requests (or HTTPie's --follow) copies the
    request for a redirect to another origin, remove the credential."""
    if response.is_redirect:
        target = urljoin(response.url, response.headers["location"])
        if _origin(target) != _origin(response.request.url):
            for name in names:
                response.request.headers.pop(name, None)
    return response
