"""tokex login end to end: the first refresh token from a sign-in, with
curl playing the person. The browser flow (PKCE, a loopback redirect) and
the device code flow, against the Azure AD and generic OAuth2 emulators."""

import re
import secrets
import subprocess
import threading
import time
import urllib.parse

from harness import Failure, check, main

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
USER = "alice@contoso.example"
PASSWORD = "correct horse; battery staple"
# The person's credentials reach curl as a config on stdin (-K -), not argv:
# the hygiene scan looks for the password in every process's command line.
PERSON = f'user = "{USER}:{PASSWORD}"\n'
WAIT = 30


def files(fx):
    d = fx.dir / "files"
    d.mkdir(exist_ok=True)
    (d / "signing-key").write_text(secrets.token_hex(32))
    (d / "password").write_text(PASSWORD)
    return d


def start_azure(fx, *args):
    d = files(fx)
    az = fx.start("azure_ad", "--tenant", TENANT, "--client-id", CLIENT_ID, "--token-signing-key-file",
                  str(d / "signing-key"), "--user", USER, "--password-file", str(d / "password"), *args)
    fx.write_config(f"""[profile "az"]
    preset    = azure-ad
    tenant    = {TENANT}
    client-id = {CLIENT_ID}
    base-url  = {az.base_url}
    ca-file   = {fx.pki['ca']}
""")
    return az


def stats(fx, emulator):
    return fx.get_json(emulator.base_url + "/_emulator/stats")


def stored(profile, name="refresh-token"):
    return subprocess.run(["secret-tool", "lookup", "profile", profile, "name", name], capture_output=True,
                          text=True, timeout=30).stdout


class Login:
    """`tokex login ...` running in the background; its stderr is read a
    line at a time as it comes."""

    def __init__(self, fx, *args):
        self.proc = subprocess.Popen([fx.tokex, "login", *args], env=fx.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for line in self.lines:
                m = re.search(pattern, line)
                if m:
                    return m
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.02)
        self.proc.kill()
        raise Failure(f"tokex login never said {pattern!r}: {self.lines}")

    def finish(self):
        try:
            self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure(f"tokex login did not finish: {self.lines}")
        self.reader.join(5)
        return self.proc.returncode, self.proc.stdout.read()


def person_signs_in(fx, url, *, user=USER, password=PASSWORD):
    """curl as the person's browser: signs in at the authorization URL and
    follows the redirect to tokex's loopback listener."""
    r = subprocess.run(["curl", "-sS", "-L", "--max-redirs", "1", "--cacert", fx.pki["ca"], "-K", "-",
                        "-w", "\n%{http_code}", url], input=f'user = "{user}:{password}"\n', capture_output=True, text=True, timeout=WAIT)
    body, _, status = r.stdout.rpartition("\n")
    return status, body


def case_browser_sign_in_stores_the_refresh_token(fx):
    az = start_azure(fx)
    login = Login(fx, "az")
    url = login.wait_for_line(r"sign in with your browser at (https://\S+)").group(1)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    check(query["code_challenge_method"] == ["S256"] and query["redirect_uri"][0].startswith("http://127.0.0.1:"),
          f"not a PKCE loopback sign-in: {url}")
    status, page = person_signs_in(fx, url)
    check(status == "200" and "Signed in to tokex" in page, f"the browser was shown {status} {page!r}")
    rc, out = login.finish()
    check(rc == 0 and out == "", f"tokex login: exit {rc}, stdout {out!r}, stderr {login.lines}")
    check(any("signed in: the refresh token is in the Secret Service keyring" in line for line in login.lines),
          f"no confirmation: {login.lines}")
    refresh = stored("az")
    check(len(refresh) > 20, "no refresh token in the keyring")
    check(all(refresh not in line for line in login.lines), "the refresh token was shown")
    # The access token went to the cache: this needs no request.
    before = stats(fx, az)["token_requests"]
    fx.run("token", "az", check_rc=0)
    check(stats(fx, az)["token_requests"] == before, "the access token of the sign-in was not cached")
    # And the refresh token works.
    fx.run("token", "az", "--no-cache", check_rc=0)


def case_forged_redirect_is_waited_past(fx):
    start_azure(fx)
    login = Login(fx, "az")
    url = login.wait_for_line(r"sign in with your browser at (https://\S+)").group(1)
    redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["redirect_uri"][0]
    forged = subprocess.run(["curl", "-sS", "-w", "%{http_code}", "-o", "/dev/null",
                             redirect + "?code=forged&state=guessed"], capture_output=True, text=True, timeout=WAIT)
    check(forged.stdout == "400", f"a redirect with another state got {forged.stdout}")
    status, _ = person_signs_in(fx, url)
    check(status == "200", f"the real sign-in after a forged one got {status}")
    rc, _ = login.finish()
    check(rc == 0, f"tokex login after a forged redirect: exit {rc}: {login.lines}")


def case_device_code_sign_in(fx):
    az = start_azure(fx, "--device-interval", "1")
    login = Login(fx, "--device", "az")
    m = login.wait_for_line(r"open the page (https://\S+) and enter the code (\w+)")
    status = subprocess.run(["curl", "-sS", "--cacert", fx.pki["ca"], "-K", "-", "-o", "/dev/null",
                             "-w", "%{http_code}", "-d", f"user_code={m.group(2)}", m.group(1)],
                            input=PERSON, capture_output=True, text=True, timeout=WAIT).stdout
    check(status == "200", f"approving the code got {status}")
    rc, _ = login.finish()
    check(rc == 0, f"tokex login --device: exit {rc}: {login.lines}")
    check(len(stored("az")) > 20, "no refresh token in the keyring")
    check(stats(fx, az)["device_approvals"] == 1, "the code was not approved at the emulator")


def case_device_code_declined(fx):
    start_azure(fx, "--device-interval", "1")
    login = Login(fx, "--device", "az")
    m = login.wait_for_line(r"open the page (https://\S+) and enter the code (\w+)")
    subprocess.run(["curl", "-sS", "--cacert", fx.pki["ca"], "-K", "-", "-o", "/dev/null",
                    "-d", f"user_code={m.group(2)}&action=deny", m.group(1)], input=PERSON, capture_output=True,
                   text=True, timeout=WAIT)
    rc, _ = login.finish()
    check(rc == 4, f"a declined sign-in: exit {rc}: {login.lines}")
    check(stored("az") == "", "a refresh token was stored")


def case_no_sign_in_for_other_grants_or_presets(fx):
    start_azure(fx)
    fx.write_config(fx.config.read_text() + "    grant = client_credentials\n")
    p = fx.run("login", "az", check_rc=2)
    check("tokex login is for grant = refresh_token" in p.stderr, p.stderr)
    fx.write_config('[profile "x"]\n    preset = cisco-xdr\n    client-id = c\n')
    p = fx.run("login", "x", check_rc=2)
    check("preset cisco-xdr has no sign-in" in p.stderr, p.stderr)
    p = fx.run("token", "--device", "x", check_rc=2)
    check("unknown option '--device'" in p.stderr, p.stderr)


def case_oauth2_browser_sign_in(fx):
    d = files(fx)
    o2 = fx.start("oauth2", "--client-id", "cli-app", "--public", "--user", USER, "--password-file", str(d / "password"),
                  "--scopes", "openid offline_access api.read")
    fx.write_config(f"""[profile "o2"]
    preset        = oauth2
    client-id     = cli-app
    grant         = refresh_token
    client-auth   = none
    scopes        = offline_access api.read
    token-url     = {o2.base_url}/token
    authorize-url = {o2.base_url}/authorize
    ca-file       = {fx.pki['ca']}
""")
    login = Login(fx, "o2")
    url = login.wait_for_line(r"sign in with your browser at (https://\S+)").group(1)
    status, page = person_signs_in(fx, url)
    check(status == "200", f"the browser was shown {status} {page!r}")
    rc, _ = login.finish()
    check(rc == 0, f"tokex login o2: exit {rc}: {login.lines}")
    check(stored("o2") != "", "no refresh token in the keyring")
    fx.run("token", "o2", "--no-cache", check_rc=0)


def case_oauth2_device_sign_in_sends_each_field_once(fx):
    d = files(fx)
    o2 = fx.start("oauth2", "--client-id", "cli-app", "--public", "--user", USER, "--password-file",
                  str(d / "password"), "--scopes", "openid offline_access api.read", "--device-interval", "1")
    fx.write_config(f"""[profile "o2"]
    preset      = oauth2
    client-id   = cli-app
    grant       = refresh_token
    client-auth = none
    scopes      = offline_access api.read
    token-url   = {o2.base_url}/token
    device-url  = {o2.base_url}/device/code
    ca-file     = {fx.pki['ca']}
""")
    login = Login(fx, "--device", "o2")
    m = login.wait_for_line(r"open (https://\S+) and enter the code (\S+)")
    approve = subprocess.run(["curl", "-sS", "--cacert", fx.pki["ca"], "-K", "-", "-o", "/dev/null",
                              "-w", "%{http_code}", "-d", f"user_code={m.group(2)}", o2.base_url + "/_emulator/device"],
                             input=PERSON, capture_output=True, text=True, timeout=WAIT).stdout
    check(approve == "200", f"approving the code got {approve}")
    rc, _ = login.finish()
    check(rc == 0, f"tokex login --device o2: exit {rc}: {login.lines}")
    check(stored("o2") != "", "no refresh token in the keyring")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
