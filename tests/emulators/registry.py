"""A loopback container registry that accepts only a valid Cisco XDR token.

Serves the part of the Docker Registry HTTP API V2 (distribution's
docs/spec/api.md) that `skopeo list-tags` and `skopeo inspect` use, for one
repository (--repo, default team/app) holding one small image under each of
--tags:

  GET /v2/                          the version check
  GET /v2/NAME/tags/list            {"name", "tags"}
  GET|HEAD /v2/NAME/manifests/REF   a docker image manifest v2 schema 2, by tag
                                    or digest, with its Content-Type and
                                    Docker-Content-Digest
  GET|HEAD /v2/NAME/blobs/DIGEST    the image's config and its one layer

Every /v2/ request wants HTTP Basic credentials (the Username and Secret a
docker credential helper gives) whose password is a token the Cisco XDR
emulator at --xdr-url accepts: the registry asks that emulator's protected
API (GET /iroh/profile/whoami with the token as Bearer), so no string of our
own making gets in. Without valid credentials it answers 401 with
`WWW-Authenticate: Basic realm="registry"`, as a registry that takes
passwords does.

GET /_emulator/stats reports counters, without authentication: requests
authorized, refused (a password that is not a valid token), anonymous (no
credentials), empty_password (Basic credentials with an empty password, what
skopeo sends when it has none), token_checks (questions to the XDR
emulator), and the user names that were accepted.
"""

import gzip
import hashlib
import io
import json
import ssl
import tarfile
import threading
import urllib.error
import urllib.request

import emulib

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def make_image():
    """(manifest bytes, {digest: (media type, bytes)} of the blobs): one
    layer holding /hello.txt, made the same way every time."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        content = b"hello from the tokex test registry\n"
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode = len(content), 0, 0o644
        tar.addfile(info, io.BytesIO(content))
    layer_tar = tar_bytes.getvalue()
    layer = gzip.compress(layer_tar, mtime=0)
    config = canonical({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [digest(layer_tar)]},
        "history": [{"created_by": "tokex test registry"}],
    })
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "size": len(config), "digest": digest(config)},
        "layers": [{"mediaType": LAYER_TYPE, "size": len(layer), "digest": digest(layer)}],
    }, indent=3).encode()
    blobs = {digest(config): ("application/octet-stream", config), digest(layer): ("application/octet-stream", layer)}
    return manifest, blobs


class State:
    def __init__(self, args):
        self.xdr_url = args.xdr_url.rstrip("/")
        self.xdr_context = ssl.create_default_context(cafile=args.ca)
        self.repo = args.repo
        self.tags = args.tags.split(",")
        self.manifest, self.blobs = make_image()
        self.counters = emulib.Counters("authorized", "refused", "anonymous", "empty_password", "token_checks")
        self.users = set()
        self._lock = threading.Lock()

    def token_valid(self, token):
        """Whether the XDR emulator's protected API accepts `token`."""
        self.counters.add("token_checks")
        req = urllib.request.Request(self.xdr_url + "/iroh/profile/whoami",
                                     headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, context=self.xdr_context, timeout=10) as r:
                return r.status == 200
        except urllib.error.HTTPError:
            return False
        except OSError as e:
            raise RuntimeError(f"cannot reach the XDR emulator: {e}") from e

    def add_user(self, user):
        with self._lock:
            self.users.add(user)

    def stats(self):
        with self._lock:
            users = sorted(self.users)
        return {**self.counters.snapshot(), "users": users}


def registry_error(code, message):
    return {"errors": [{"code": code, "message": message, "detail": None}]}


class RegistryHandler(emulib.Handler):
    def route(self, method, path, query):
        s = self.state
        if path == "/_emulator/stats":
            return self.reply(200, s.stats())
        if path != "/v2" and not path.startswith("/v2/"):
            return self.reply(404, registry_error("NOT_FOUND", "not a registry path"))
        if method not in ("GET", "HEAD"):
            return self.reply(405, registry_error("UNSUPPORTED", "this registry is read-only"), {"Allow": "GET, HEAD"})
        if not self.authorized():
            return self.reply(401, registry_error("UNAUTHORIZED", "authentication required"),
                              {"WWW-Authenticate": 'Basic realm="registry"',
                               "Docker-Distribution-API-Version": "registry/2.0"})
        if path in ("/v2", "/v2/"):
            return self.reply(200, {}, {"Docker-Distribution-API-Version": "registry/2.0"})
        prefix = f"/v2/{s.repo}/"
        if not path.startswith(prefix):
            return self.reply(404, registry_error("NAME_UNKNOWN", "repository name not known to registry"))
        rest = path[len(prefix):]
        if rest == "tags/list":
            return self.reply(200, {"name": s.repo, "tags": s.tags})
        if rest.startswith("manifests/"):
            ref = rest[len("manifests/"):]
            if ref in s.tags or ref == digest(s.manifest):
                return self.send_raw(200, s.manifest, MANIFEST_TYPE, {"Docker-Content-Digest": digest(s.manifest)})
            return self.reply(404, registry_error("MANIFEST_UNKNOWN", "manifest unknown"))
        if rest.startswith("blobs/") and rest[len("blobs/"):] in s.blobs:
            name = rest[len("blobs/"):]
            media_type, data = s.blobs[name]
            return self.send_raw(200, data, media_type, {"Docker-Content-Digest": name})
        return self.reply(404, registry_error("BLOB_UNKNOWN", "blob unknown to registry"))

    def authorized(self):
        s = self.state
        header = self.headers.get("Authorization")
        if header is None:
            s.counters.add("anonymous")
            return False
        creds = emulib.basic_credentials(header)
        if creds is not None and not creds[1]:
            # What a client without credentials sends once challenged.
            s.counters.add("empty_password")
            return False
        if creds is None or not s.token_valid(creds[1]):
            s.counters.add("refused")
            return False
        s.counters.add("authorized")
        s.add_user(creds[0])
        return True

    def send_raw(self, status, data, content_type, headers):
        """Like reply(), for a body that is not this emulator's JSON."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.log_line(status)


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--xdr-url", required=True, help="base URL of the Cisco XDR emulator that vouches for tokens")
    p.add_argument("--ca", required=True, help="CA file to trust for the XDR emulator")
    p.add_argument("--repo", default="team/app", help="the repository served (default team/app)")
    p.add_argument("--tags", default="1.0,latest", help="its tags, comma-separated (default 1.0,latest)")
    args = p.parse_args()
    emulib.serve(RegistryHandler, args, State(args))


if __name__ == "__main__":
    main()
