"""A throwaway PKI for tests: a CA and a server certificate for 127.0.0.1.

make_pki(directory) -> {"ca": ..., "cert": ..., "key": ...} (paths). Uses
the openssl command. The CA is self-signed with basicConstraints CA:TRUE;
the server certificate it signs has subjectAltName IP:127.0.0.1 and
DNS:localhost and the serverAuth extended key usage. Keys are EC P-256 and
mode 0600, everything is valid for `days` (default one day). As a script:
`python3 tests/lib/pki.py DIR` prints that dict as JSON.

make_cert(directory, name, cn, server=..., client=...) -> {"cert", "key"}
signs one more certificate with the CA make_pki left in `directory`: for
a service that is a TLS server and a client of itself at once (etcd's
JSON gateway dials its own gRPC listener with its server certificate), or
a client certificate (with `cn` None, its subject has no CN: etcd's
JSON gateway refuses a client certificate with a CN once auth is on).
"""

import json
import os
import pathlib
import subprocess
import sys

# Own openssl configs, so the system's openssl.cnf cannot change the result.
CA_CONFIG = """\
[req]
prompt = no
distinguished_name = dn
x509_extensions = ca
[dn]
CN = tokex throwaway test CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""

SERVER_REQUEST_CONFIG = """\
[req]
prompt = no
distinguished_name = dn
[dn]
CN = 127.0.0.1
"""

SERVER_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(*args, cwd):
    # umask 077: keys are never readable by others, not even for a moment.
    p = subprocess.run(["openssl", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, umask=0o077)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed (exit {p.returncode}): {p.stderr.strip()}")


def _new_key(name, cwd):
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name, cwd=cwd)


def make_pki(directory, days=1):
    d = pathlib.Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / "ca.cnf").write_text(CA_CONFIG)
    (d / "server-req.cnf").write_text(SERVER_REQUEST_CONFIG)
    (d / "server.ext").write_text(SERVER_EXTENSIONS)
    _new_key("ca.key", d)
    _openssl("req", "-new", "-x509", "-config", "ca.cnf", "-key", "ca.key", "-out", "ca.crt", "-days", str(days),
             cwd=d)
    _new_key("server.key", d)
    _openssl("req", "-new", "-config", "server-req.cnf", "-key", "server.key", "-out", "server.csr", cwd=d)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", str(days), "-extfile", "server.ext", cwd=d)
    for cert in ("ca.crt", "server.crt"):
        os.chmod(d / cert, 0o644)
    return {"ca": str(d / "ca.crt"), "cert": str(d / "server.crt"), "key": str(d / "server.key")}


def make_cert(directory, name, cn, server=True, client=False, days=1):
    d = pathlib.Path(directory)
    usages = ", ".join(u for u, on in (("serverAuth", server), ("clientAuth", client)) if on)
    san = "subjectAltName = IP:127.0.0.1, DNS:localhost\n" if server else ""
    subject = f"CN = {cn}" if cn else "O = tokex test client"
    (d / f"{name}-req.cnf").write_text(f"[req]\nprompt = no\ndistinguished_name = dn\n[dn]\n{subject}\n")
    (d / f"{name}.ext").write_text("basicConstraints = critical, CA:FALSE\n"
                                   "keyUsage = critical, digitalSignature\n"
                                   f"extendedKeyUsage = {usages}\n{san}"
                                   "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n")
    _new_key(f"{name}.key", d)
    _openssl("req", "-new", "-config", f"{name}-req.cnf", "-key", f"{name}.key", "-out", f"{name}.csr", cwd=d)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", f"{name}.crt", "-days", str(days), "-extfile", f"{name}.ext", cwd=d)
    os.chmod(d / f"{name}.crt", 0o644)
    return {"cert": str(d / f"{name}.crt"), "key": str(d / f"{name}.key")}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: pki.py DIR")
    print(json.dumps(make_pki(sys.argv[1])))
