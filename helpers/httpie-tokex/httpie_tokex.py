"""The HTTPie auth plugin `tokex`:

    http --auth-type=tokex -a PROFILE URL     the profile's credential
    http --auth-type=tokex URL                the profile whose `match` covers URL

The credential comes from tokex_auth.TokexAuth, once per request.
"""

from httpie.plugins import AuthPlugin

from tokex_auth import TokexAuth

__all__ = ["TokexAuthPlugin"]


class TokexAuthPlugin(AuthPlugin):
    name = "tokex"
    auth_type = "tokex"
    description = "Credentials from tokex: -a PROFILE, or no -a for the profile whose match covers the URL"
    # -a is a profile name, not user:password: no parsing, no password
    # prompt, and none at all is fine (then the URL picks the profile).
    auth_require = False
    auth_parse = False
    prompt_password = False
    netrc_parse = False

    def get_auth(self, username=None, password=None):
        # raw_auth is what followed -a (None without -a). A lone ":" is what
        # people type for "no credentials" with other auth types.
        profile = (self.raw_auth or "").strip()
        return TokexAuth("" if profile == ":" else profile)
