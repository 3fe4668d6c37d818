"""Real etcd on loopback for tests: one member, or a cluster of three.

    e = etcd.single(workdir, pki)                 # one member, client TLS
    e = etcd.single(workdir, pki, client_cert_auth=True, auth=True)
    c = etcd.cluster(workdir, pki, 3)             # three members
    c.endpoints        -> ["https://127.0.0.1:PORT", ...] (one per member)
    c.put(k, v) / c.get(k) / c.keys(prefix) / c.items(prefix) / c.delete(k)
    c.etcdctl(*args)   -> CompletedProcess of etcdctl against the cluster
    c.kill(i)          -> SIGKILL member i;  c.close() stops all, removes dirs
    c.leader()         -> the index of the member that leads now

`/usr/bin/etcd` (Debian's etcd-server 3.4) runs on 127.0.0.1 only, on free
ports, in `workdir/etcd-N/` (its data dir and its log, `member-I.log`, kept
there until close() for a failure's report). Clients speak TLS with a
server certificate from the test's throwaway CA (`pki` is make_pki's
dict; the CA key beside it signs the rest); peers speak plain HTTP on
loopback. With `client_cert_auth`, etcd wants a client certificate from
that CA (the fixture's own is `admin_cert`; `client_cert(cn)` makes one
for tokex; with auth on as well, etcd's JSON gateway refuses a client
certificate that has a CN: `client_cert(None)` has none). With `auth`, etcd's auth is on: users root and
`tokex` (password `tokex_password`, or set by the test), the latter with
read-write on `prefix` only. The fixture itself talks to etcd's v3 JSON
gateway with urllib, as root.

Every wait is bounded (START_WAIT for a healthy cluster, HTTP_TIMEOUT per
request); each etcd process is started with a parent-death signal, so
none outlives the test even when the test is killed; close() kills what
is left and removes the directory. Members run with GOMAXPROCS=1 and short
heartbeats: the suite shares two cores.
"""

import base64
import json
import os
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pki as pki_lib

ETCD = "/usr/bin/etcd"
ETCDCTL = "/usr/bin/etcdctl"
START_WAIT = 30      # seconds for the members to elect a leader and answer
HTTP_TIMEOUT = 10    # seconds for one request to the JSON gateway
STOP_WAIT = 5        # seconds for a member to end after SIGTERM
PORT_ATTEMPTS = 3    # starts on fresh ports when one was taken meanwhile
ROOT_PASSWORD = "root-pw-" + base64.b16encode(os.urandom(8)).decode().lower()


class EtcdError(Exception):
    pass


def b64(text):
    if isinstance(text, str):
        text = text.encode()
    return base64.b64encode(text).decode()


def unb64(text):
    return base64.b64decode(text or "")


def prefix_end(prefix):
    """The range_end that selects every key starting with `prefix`."""
    p = bytearray(prefix.encode() if isinstance(prefix, str) else prefix)
    while p:
        if p[-1] < 0xFF:
            p[-1] += 1
            return bytes(p)
        p.pop()
    return b"\0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Member:
    def __init__(self, index, directory):
        self.index = index
        self.name = f"m{index}"
        self.client_port = free_port()
        self.peer_port = free_port()
        self.data = directory / f"member-{index}.data"
        self.log_path = directory / f"member-{index}.log"
        self.proc = None

    @property
    def endpoint(self):
        return f"https://127.0.0.1:{self.client_port}"

    @property
    def peer_url(self):
        return f"http://127.0.0.1:{self.peer_port}"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class Etcd:
    """A running etcd cluster of `members` members (see the module doc)."""

    def __init__(self, workdir, pki, members=1, client_cert_auth=False, auth=False, prefix="tokex/",
                 tokex_password=None):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="etcd-", dir=workdir))
        self.pki = pki
        self.pki_dir = pathlib.Path(pki["ca"]).parent
        self.client_cert_auth = client_cert_auth
        self.auth = False  # until _enable_auth
        self.prefix = prefix
        self.tokex_password = tokex_password
        self._token = None
        self.members = []
        try:
            self.server = pki_lib.make_cert(self.pki_dir, "etcd-server", "127.0.0.1", server=True, client=True)
            self.admin_cert = pki_lib.make_cert(self.pki_dir, "etcd-admin", None, server=False, client=True)
            for attempt in range(PORT_ATTEMPTS):
                self.members = [Member(i, self.dir) for i in range(members)]
                for m in self.members:
                    self._start(m)
                try:
                    self.wait_healthy()
                    break
                except EtcdError:
                    # A port free_port() found was taken before etcd bound
                    # it (tests run in parallel): again, on other ports.
                    if attempt + 1 == PORT_ATTEMPTS or "address already in use" not in self.logs(1000):
                        raise
                    self.stop()
                    for m in self.members:
                        shutil.rmtree(m.data, ignore_errors=True)
                        m.log_path.unlink(missing_ok=True)
            if auth:
                self._enable_auth()
        except BaseException:
            self.close()
            raise

    # Processes.

    def _start(self, m):
        cluster = ",".join(f"{x.name}={x.peer_url}" for x in self.members)
        argv = [ETCD, "--name", m.name, "--data-dir", str(m.data),
                "--listen-client-urls", m.endpoint, "--advertise-client-urls", m.endpoint,
                "--listen-peer-urls", m.peer_url, "--initial-advertise-peer-urls", m.peer_url,
                "--initial-cluster", cluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", self.dir.name,
                "--cert-file", self.server["cert"], "--key-file", self.server["key"],
                "--heartbeat-interval", "50", "--election-timeout", "500",
                "--logger", "zap", "--log-outputs", "stderr"]
        if self.client_cert_auth:
            argv += ["--client-cert-auth", "--trusted-ca-file", self.pki["ca"]]
        env = {"PATH": "/usr/bin:/bin", "GOMAXPROCS": "1", "HOME": str(self.dir)}
        with open(m.log_path, "ab") as log:
            # setpriv: SIGKILL when this test process dies, however it dies.
            m.proc = subprocess.Popen(["setpriv", "--pdeathsig", "KILL", "--"] + argv, stdin=subprocess.DEVNULL,
                                      stdout=log, stderr=log, env=env, cwd=self.dir)

    def kill(self, index, sig=signal.SIGKILL):
        """Ends member `index` with `sig` (SIGKILL: a crash) and waits."""
        m = self.members[index]
        if m.alive():
            m.proc.send_signal(sig)
            try:
                m.proc.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                m.proc.kill()
                m.proc.wait()

    def stop(self):
        """Stops every member (SIGTERM, SIGKILL after STOP_WAIT); the data
        stays until close()."""
        for i in range(len(self.members)):
            self.kill(i, signal.SIGTERM)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self, lines=20):
        """The last `lines` lines of each member's log, for a failure."""
        out = []
        for m in self.members:
            try:
                tail = m.log_path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                tail = ["(no log)"]
            out.append(f"--- etcd {m.name} ({m.endpoint}):\n" + "\n".join(tail))
        return "\n".join(out)

    @property
    def endpoints(self):
        return [m.endpoint for m in self.members]

    def alive_members(self):
        return [m for m in self.members if m.alive()]

    def wait_healthy(self, timeout=START_WAIT):
        """Waits until every running member answers /health with a leader."""
        deadline = time.monotonic() + timeout
        for m in self.alive_members():
            while True:
                if m.proc.poll() is not None:
                    raise EtcdError(f"etcd {m.name} exited {m.proc.returncode}\n{self.logs()}")
                try:
                    if self._request(m, "GET", "/health", None, 2).get("health") == "true":
                        break
                except (OSError, ValueError, EtcdError):
                    pass
                if time.monotonic() > deadline:
                    raise EtcdError(f"etcd {m.name} not healthy after {timeout} s\n{self.logs()}")
                time.sleep(0.1)

    # The JSON gateway.

    def _ssl(self):
        ctx = ssl.create_default_context(cafile=self.pki["ca"])
        if self.client_cert_auth:
            ctx.load_cert_chain(self.admin_cert["cert"], self.admin_cert["key"])
        return ctx

    def _request(self, m, method, path, body, timeout=HTTP_TIMEOUT, token=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = token
        req = urllib.request.Request(m.endpoint + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, context=self._ssl(), timeout=timeout) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise EtcdError(f"{m.name} {path}: HTTP {e.code}: {e.read()[:300]!r}")

    def call(self, path, body):
        """POSTs `body` to /v3/PATH on the first member that answers, as
        root when auth is on; returns the decoded answer."""
        last = None
        for m in self.alive_members():
            for _ in range(2):
                try:
                    if self.auth and self._token is None:
                        self._token = self._request(m, "POST", "/v3/auth/authenticate",
                                                    {"name": "root", "password": ROOT_PASSWORD})["token"]
                    return self._request(m, "POST", "/v3/" + path, body, token=self._token)
                except EtcdError as e:
                    last = e
                    if "token" in str(e).lower():  # an expired simple token: authenticate again
                        self._token = None
                        continue
                    break
                except (OSError, ValueError) as e:
                    last = e
                    break
        raise EtcdError(f"no etcd member answered {path}: {last}")

    def put(self, key, value):
        self.call("kv/put", {"key": b64(key), "value": b64(value)})

    def get(self, key):
        """The value of `key` (str), or None."""
        kvs = self.call("kv/range", {"key": b64(key)}).get("kvs", [])
        return unb64(kvs[0].get("value")).decode(errors="replace") if kvs else None

    def items(self, prefix=""):
        """{key: value} (str) of every key starting with `prefix`."""
        start = prefix.encode() or b"\0"
        kvs = self.call("kv/range", {"key": b64(start), "range_end": b64(prefix_end(prefix))}).get("kvs", [])
        return {unb64(kv["key"]).decode(errors="replace"): unb64(kv.get("value")).decode(errors="replace")
                for kv in kvs}

    def keys(self, prefix=""):
        return sorted(self.items(prefix))

    def delete(self, key, prefix=False):
        """Deletes `key` (every key starting with it, with `prefix`); returns
        how many went."""
        body = {"key": b64(key)}
        if prefix:
            body["range_end"] = b64(prefix_end(key))
        return int(self.call("kv/deleterange", body).get("deleted", 0))

    def revision(self, key):
        """The mod_revision of `key`, or None."""
        kvs = self.call("kv/range", {"key": b64(key)}).get("kvs", [])
        return int(kvs[0]["mod_revision"]) if kvs else None

    def leader(self):
        """The index of the member that leads the cluster now, or None."""
        for m in self.alive_members():
            try:
                status = self._request(m, "POST", "/v3/maintenance/status", {}, 2)
            except (OSError, ValueError, EtcdError):
                continue
            if status.get("leader") and status.get("leader") == status.get("header", {}).get("member_id"):
                return m.index
        return None

    def _enable_auth(self):
        pw = self.tokex_password or "tokex_password-" + base64.b16encode(os.urandom(6)).decode().lower()
        self.tokex_password = pw
        end = prefix_end(self.prefix)
        for path, body in (
                ("auth/user/add", {"name": "root", "password": ROOT_PASSWORD}),
                ("auth/user/grant", {"user": "root", "role": "root"}),
                ("auth/role/add", {"name": "tokex"}),
                ("auth/role/grant", {"name": "tokex", "perm": {"permType": "READWRITE", "key": b64(self.prefix),
                                                              "range_end": b64(end)}}),
                ("auth/user/add", {"name": "tokex", "password": pw}),
                ("auth/user/grant", {"user": "tokex", "role": "tokex"}),
                ("auth/enable", {})):
            self.call(path, body)
        self.auth = True

    def client_cert(self, cn):
        """A client certificate (and key) from the test CA, CN `cn` (None: no
        CN)."""
        return pki_lib.make_cert(self.pki_dir, f"etcd-client-{cn or 'nocn'}", cn, server=False, client=True)

    # etcdctl.

    def etcdctl(self, *args, timeout=30):
        """etcdctl ARGS against every running member, as root; its
        credentials in its environment, never its argv."""
        env = {"PATH": "/usr/bin:/bin", "ETCDCTL_API": "3", "ETCDCTL_CACERT": self.pki["ca"],
               "ETCDCTL_ENDPOINTS": ",".join(m.endpoint for m in self.alive_members()),
               "ETCDCTL_DIAL_TIMEOUT": "5s", "ETCDCTL_COMMAND_TIMEOUT": f"{timeout - 5}s"}
        if self.client_cert_auth:
            env.update({"ETCDCTL_CERT": self.admin_cert["cert"], "ETCDCTL_KEY": self.admin_cert["key"]})
        if self.auth:
            env["ETCDCTL_USER"] = "root:" + ROOT_PASSWORD
        return subprocess.run([ETCDCTL, *args], env=env, capture_output=True, text=True, timeout=timeout)

    def raw_files(self):
        """Every file of every member's data dir (the bbolt database and the
        write-ahead log hold what was written, as written)."""
        return [pathlib.Path(d) / f for m in self.members for d, _, names in os.walk(m.data) for f in names]


def single(workdir, pki, tls=True, auth=False, client_cert_auth=False, **kw):
    """One member. Clients always speak TLS here (`tls` is for symmetry
    with the way tokex is configured: tokex refuses plain http)."""
    if not tls:
        raise ValueError("the fixture serves etcd's clients over TLS only")
    return Etcd(workdir, pki, 1, client_cert_auth=client_cert_auth, auth=auth, **kw)


def cluster(workdir, pki, members=3, **kw):
    """`members` members with a static initial cluster."""
    return Etcd(workdir, pki, members, **kw)
