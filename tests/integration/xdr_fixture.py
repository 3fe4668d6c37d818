"""A Cisco XDR profile against the strict emulator: what the integration
tests of several files start from."""

CLIENT_ID = "client-6fd1c0de-0000-4000-8000-1234567890ab"
SECRET = "MLOe_s3cr3t-LPzh-value"


def config_text(fx, xdr, extra="", ca=None):
    """Profile "xdr" pointed at the emulator `xdr`, trusting the test CA
    (or `ca`), with `extra` lines appended."""
    return f"""# written by the test
[profile "xdr"]
    preset    = cisco-xdr
    region    = eu
    client-id = {CLIENT_ID}
    base-url  = {xdr.base_url}
    ca-file   = {ca or fx.pki['ca']}
{extra}"""


def start_xdr(fx, *emulator_args, extra=""):
    """Starts the emulator (which knows SECRET) and writes the config."""
    secret_file = fx.dir / "emulator-secret"
    secret_file.write_text(SECRET)
    xdr = fx.start("cisco_xdr", "--client-id", CLIENT_ID, "--client-secret-file", str(secret_file),
                   *emulator_args)
    fx.write_config(config_text(fx, xdr, extra))
    return xdr


def stats(fx, xdr):
    """The emulator's counters."""
    return fx.get_json(xdr.base_url + "/_emulator/stats")
