// The etcd store: a fleet of hosts shares a profile's secrets, its rotating
// refresh token and its current access token through an etcd cluster,
// over etcd's v3 JSON gateway (etcd_gateway.h) and libcurl.
//
// Keys, under the profile's etcd-prefix P:
//   P PROFILE/secret/NAME  a secret, sealed
//   P PROFILE/token        the access token the hosts share, sealed
//   P PROFILE/lock         the fleet lock (etcd's lock API, with a lease)
//   P PROFILE/holder       who holds it, for tokex status (on the lease)
// Every value is sealed with AES-256-GCM under etcd-key, which each host
// keeps in its own store (etcd-local-store), with the profile and the name
// as associated data: etcd never holds a secret or token in the clear, and
// a sealed value cannot be moved to another name or profile. etcd-key and
// etcd-password themselves are the local store's.
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "cache.h"
#include "crypto.h"
#include "etcd_gateway.h"
#include "random.h"
#include "secret_store.h"
#include "store_registry.h"
#include "text.h"

namespace tokex {

namespace {

constexpr std::string_view kKeySecret = "etcd-key";
constexpr std::string_view kPasswordSecret = "etcd-password";
constexpr std::string_view kSealedPrefix = "tokex1.";
constexpr std::string_view kTokenName = "access-token";
// What a lease revoke may take when the command's time is up: a lock
// left behind costs the others a lease's TTL, not their deadline.
constexpr double kCleanupSeconds = 2;

bool IsLocalSecret(std::string_view name) { return name == kKeySecret || name == kPasswordSecret; }

std::string JoinEndpoints(const std::vector<std::string>& endpoints) {
  std::string out;
  for (const std::string& e : endpoints) out += (out.empty() ? "" : ", ") + e;
  return out;
}

// The local store named by etcd-local-store.
std::unique_ptr<SecretStore> OpenLocalStore(const StoreContext& ctx) {
  for (const StoreFactory& f : StoreFactories()) {
    if (f.name == ctx.profile.etcd->local_store->name) return f.open(ctx);
  }
  abort();  // config validation allows only stores with a factory (tables_test)
}

// Requests to the cluster: the endpoints in order, failing over to the
// next one when one cannot be reached or is unavailable, signed in as
// etcd-user when set. Everything before the command's deadline.
class EtcdClient {
 public:
  EtcdClient(const Profile& p, HttpClient& http, Clock& clock, SecretStore& local)
      : p_(p), e_(*p.etcd), http_(http), clock_(clock), local_(local),
        deadline_{clock.Monotonic() + static_cast<double>(p.timeout)} {}

  ~EtcdClient() { WipeString(&token_); }

  /// The answer (status 200) to `body` posted at `path`; `wait_until`
  /// bounds a request that waits by design (a lock), else the command's
  /// deadline does. kStore errors; kNetwork for a wait that timed out.
  Result<HttpResponse> Call(std::string_view path, const std::string& body, std::optional<Deadline> wait_until = {}) {
    if (!e_.user.empty() && token_.empty()) {
      if (Status s = SignIn(); !s) return s.error();
    }
    return Post(path, body, wait_until, false);
  }

  /// The endpoint that answered last (or will be tried first).
  const std::string& endpoint() const { return e_.endpoints[current_]; }

  /// A request to `endpoint` as Call sends it: for the lease keepalive,
  /// which runs beside the command.
  HttpRequest Request(const std::string& endpoint, std::string_view path, const std::string& body,
                      double timeout) const {
    HttpRequest r;
    r.url = endpoint + std::string(path);
    r.headers.emplace_back("Content-Type", "application/json");
    if (!token_.empty()) r.headers.emplace_back("Authorization", token_);
    r.body = body;
    r.ca_file = e_.ca_file;
    r.client_cert = e_.client_cert;
    r.client_key = e_.client_key;
    r.timeout_seconds = timeout;
    r.allow_http = p_.allow_http;
    return r;
  }

  HttpClient& http() { return http_; }

  /// Keepalive requests for `lease`, one per endpoint, the current one
  /// first, each bounded by `timeout`.
  std::vector<HttpRequest> Renewals(int64_t lease, double timeout) const {
    std::vector<HttpRequest> out;
    for (size_t i = 0; i < e_.endpoints.size(); ++i)
      out.push_back(Request(e_.endpoints[(current_ + i) % e_.endpoints.size()], "/v3/lease/keepalive",
                            EtcdLeaseRequest(lease), timeout));
    return out;
  }

 private:
  // etcd's words, when its answer has some.
  static std::string Said(const HttpResponse& r) {
    std::string m = EtcdErrorMessage(r.body);
    return m.empty() ? "" : " " + m;
  }

  Error Refused(const std::string& endpoint, std::string_view path, const HttpResponse& r, bool signing_in) const {
    if (signing_in)
      return MakeError(ErrorKind::kStore, "etcd at " + endpoint + " refused user " + Printable(e_.user, 80) + Said(r) +
                                              ": store its password with 'tokex secret set " + p_.name +
                                              " etcd-password'");
    std::string what = "etcd at " + endpoint + " refused " + std::string(path) + " (HTTP " +
                       std::to_string(r.status) + Said(r) + ")";
    if (r.status == 401 || r.status == 403)
      return MakeError(ErrorKind::kStore, what + ": grant etcd-user " + (e_.user.empty() ? "(unset)" : e_.user) +
                                              " read and write on the prefix " + Printable(e_.prefix, 80) +
                                              ", or set etcd-user when etcd has authentication on");
    return MakeError(ErrorKind::kStore, what + ": check etcd-endpoints");
  }

  Status SignIn() {
    Result<Secret> password = local_.Get(p_.name, kPasswordSecret);
    if (!password) return password.error();
    std::string body = EtcdAuthRequest(e_.user, *password);
    Result<HttpResponse> r = Post("/v3/auth/authenticate", body, {}, true);
    WipeString(&body);
    if (!r) return r.error();
    Result<Secret> token = ParseEtcdAuth(r->body);
    if (!token) return token.error();
    token_ = std::string(token->view());
    return Success();
  }

  // One request (the sign-in itself when `signing_in`) over the
  // endpoints in turn, as Call describes.
  Result<HttpResponse> Post(std::string_view path, const std::string& body, std::optional<Deadline> wait_until,
                            bool signing_in) {
    std::string failures;
    for (size_t tried = 0; tried < e_.endpoints.size(); ++tried) {
      const std::string& endpoint = e_.endpoints[current_];
      Deadline until = wait_until ? *wait_until : deadline_;
      double left = until.Remaining(clock_.Monotonic());
      if (left <= 0 && wait_until) return MakeError(ErrorKind::kNetwork, "timed out");
      if (left <= 0) break;
      // A member that accepts but does not answer (cut off from the
      // others, it cannot serve a linearizable read) leaves time for the
      // ones after it; a lock waits as long as it may.
      double share = wait_until ? left : left / static_cast<double>(e_.endpoints.size() - tried);
      HttpInspection i = http_.Inspect(Request(endpoint, path, body, share));
      if (i.response && i.response->status == 401 && !signing_in && !e_.user.empty() && !reauthenticated_) {
        // A token expires (etcd's --auth-token-ttl): sign in again, once.
        reauthenticated_ = true;
        WipeString(&token_);
        if (Status s = SignIn(); !s) return s.error();
        i = http_.Inspect(Request(endpoint, path, body, until.Remaining(clock_.Monotonic())));
      }
      if (i.response && i.response->status == 200) return std::move(*i.response);
      if (i.response && i.response->status < 500) return Refused(endpoint, path, *i.response, signing_in);
      bool timed_out = i.error && wait_until && wait_until->Remaining(clock_.Monotonic()) <= 0.05;
      if (timed_out) return MakeError(ErrorKind::kNetwork, "timed out");
      std::string why = i.response ? "HTTP " + std::to_string(i.response->status) + Said(*i.response) : i.reason;
      failures += (failures.empty() ? "" : "; ") + endpoint + ": " + why;
      tls_failed_ = tls_failed_ || (i.error && i.failed_at == HttpStage::kTls);
      // With TLS 1.3 a server that wants a client certificate (or another
      // one) says so after the handshake: an alert on the first read, or
      // the connection closed before the request could be sent.
      for (std::string_view sign : {"bad certificate", "certificate required", "getpeername"})
        cert_refused_ = cert_refused_ || (i.error && i.reason.find(sign) != std::string::npos);
      current_ = (current_ + 1) % e_.endpoints.size();
    }
    if (failures.empty()) failures = "no time left within timeout = " + std::to_string(p_.timeout);
    std::string fix = cert_refused_ ? "etcd ended the TLS connection, as it does when it wants a client certificate "
                                      "it trusts: set etcd-client-cert and etcd-client-key to one issued by etcd's "
                                      "--trusted-ca-file, or see etcd's log"
                      : tls_failed_ ? "set etcd-ca-file to the CA that issued etcd's certificate (and etcd-client-cert "
                                      "and etcd-client-key when etcd asks for one)"
                                    : "check etcd-endpoints and that etcd is running";
    return MakeError(ErrorKind::kStore, std::string("cannot reach etcd") + (signing_in ? " to sign in" : "") + " (" +
                                            Printable(failures, 400) + "): " + fix);
  }

  const Profile& p_;
  const EtcdSettings& e_;
  HttpClient& http_;
  Clock& clock_;
  SecretStore& local_;
  Deadline deadline_;
  size_t current_ = 0;
  std::string token_;
  bool reauthenticated_ = false;
  bool tls_failed_ = false;
  bool cert_refused_ = false;
};

// Renews a lease every third of its TTL until stopped, beside the
// command, with requests of its own (the HTTP client makes a transfer per
// request): `renewals` holds one per endpoint, the one that answered last
// first; a member that stops answering is passed over for the next.
class LeaseKeeper {
 public:
  LeaseKeeper(HttpClient& http, std::vector<HttpRequest> renewals, double interval)
      : thread_([this, &http, renewals = std::move(renewals), interval] {
          size_t good = 0;
          std::unique_lock<std::mutex> lock(mutex_);
          while (!stop_.wait_for(lock, std::chrono::duration<double>(interval), [this] { return stopping_; })) {
            lock.unlock();
            for (size_t tried = 0; tried < renewals.size(); ++tried) {
              Result<HttpResponse> r = http.Send(renewals[good]);
              if (r && r->status == 200) break;
              good = (good + 1) % renewals.size();
            }
            lock.lock();
          }
        }) {}

  ~LeaseKeeper() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    stop_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

// Revokes `lease` (which deletes the keys on it), within kCleanupSeconds
// even when the command's time is up.
void Revoke(EtcdClient& client, int64_t lease, Clock& clock) {
  (void)client.Call("/v3/lease/revoke", EtcdLeaseRequest(lease), Deadline{clock.Monotonic() + kCleanupSeconds});
}

// The fleet lock's lease, from its grant until the lock is released: the
// keepalive runs; revoking the lease deletes the lock and holder keys.
class EtcdFleetLock : public FleetLock {
 public:
  EtcdFleetLock(EtcdClient& client, Clock& clock, int64_t lease, double ttl)
      : client_(client),
        clock_(clock),
        lease_(lease),
        keeper_(std::make_unique<LeaseKeeper>(client.http(), client.Renewals(lease, ttl / 3), ttl / 3)) {}

  ~EtcdFleetLock() override {
    keeper_.reset();
    Revoke(client_, lease_, clock_);
  }

 private:
  EtcdClient& client_;
  Clock& clock_;
  int64_t lease_;
  std::unique_ptr<LeaseKeeper> keeper_;
};

class EtcdStore : public SecretStore, public SharedTokens {
 public:
  EtcdStore(const StoreContext& ctx, std::unique_ptr<SecretStore> local)
      : p_(ctx.profile), clock_(*ctx.clock), local_(std::move(local)), client_(p_, *ctx.http, *ctx.clock, *local_),
        base_(p_.etcd->prefix + p_.name + "/") {}

  Result<Secret> Get(std::string_view profile, std::string_view name) override {
    if (IsLocalSecret(name)) return local_->Get(profile, name);
    Result<std::optional<EtcdKv>> kv = Read(SecretKey(name));
    if (!kv) return kv.error();
    if (!kv->has_value()) return MissingSecretError(profile, name, "etcd");
    return Open(name, (*kv)->value);
  }

  Status Set(std::string_view profile, std::string_view name, const Secret& value) override {
    if (IsLocalSecret(name)) return SetLocal(profile, name, value);
    Result<std::string> sealed = Seal(name, value.view());
    if (!sealed) return sealed.error();
    if (Status s = Change("/v3/kv/put", EtcdPutRequest(SecretKey(name), *sealed)); !s) return s;
    return DropSharedToken();
  }

  // Compare-and-swap on the key's mod_revision: the value is replaced only
  // if nobody changed it since it was read and found to be `expected`.
  Result<bool> Replace(std::string_view profile, std::string_view name, const Secret& expected,
                       const Secret& next) override {
    if (IsLocalSecret(name)) return local_->Replace(profile, name, expected, next);
    Result<std::optional<EtcdKv>> kv = Read(SecretKey(name));
    if (!kv) return kv.error();
    if (!kv->has_value()) return false;
    Result<Secret> current = Open(name, (*kv)->value);
    if (!current) return current.error();
    if (!SameSecret(*current, expected)) return false;
    Result<std::string> sealed = Seal(name, next.view());
    if (!sealed) return sealed.error();
    std::string body = EtcdCompareAndPutRequest(SecretKey(name), *sealed, (*kv)->mod_revision);
    Result<HttpResponse> r = client_.Call("/v3/kv/txn", body);
    if (!r) return r.error();
    EtcdRange winner;
    Result<bool> swapped = ParseEtcdTxn(r->body, &winner);
    for (EtcdKv& k : winner.kvs) WipeString(&k.value);
    // A transaction that lost: another host wrote first, and its value is
    // the one to use (the caller re-reads it).
    return swapped;
  }

  Status CheckWritable(std::string_view profile, std::string_view name) override {
    if (IsLocalSecret(name)) return local_->CheckWritable(profile, name);
    return Success();
  }

  Status Remove(std::string_view profile, std::string_view name) override {
    if (IsLocalSecret(name)) return local_->Remove(profile, name);
    if (Status s = Delete(SecretKey(name)); !s) return s;
    return DropSharedToken();
  }

  Result<bool> Has(std::string_view profile, std::string_view name) override {
    if (IsLocalSecret(name)) return local_->Has(profile, name);
    Result<std::optional<EtcdKv>> kv = Read(SecretKey(name));
    if (!kv) return kv.error();
    bool has = kv->has_value();
    if (has) WipeString(&(*kv)->value);
    return has;
  }

  std::string Describe() const override {
    return "etcd cluster at " + JoinEndpoints(p_.etcd->endpoints) + " (keys under " + Printable(base_, 80) +
           ", sealed with etcd-key from the " + local_->Describe() + ")";
  }

  std::string DescribeFor(std::string_view name) const override {
    return IsLocalSecret(name) ? local_->Describe() : Describe();
  }

  SharedTokens* Shared() override { return this; }

  Result<std::optional<Credential>> ReadToken() override {
    Result<std::optional<EtcdKv>> kv = Read(base_ + "token");
    if (!kv) return kv.error();
    if (!kv->has_value()) return std::optional<Credential>();
    Result<Secret> json = Open(kTokenName, (*kv)->value);
    if (!json) return json.error();
    Result<CacheRecord> record = ParseCacheRecord(std::string(json->view()));
    // Written under other settings (a host with another config), or by an
    // older tokex: as if there were none.
    if (!record || record->key != p_.SharedCacheKey() || record->profile != p_.name) return std::optional<Credential>();
    return std::optional<Credential>(std::move(record->credential));
  }

  Status WriteToken(const Credential& c) override {
    std::string json = SerializeCacheRecord({p_.SharedCacheKey(), p_.name, c});
    Result<std::string> sealed = Seal(kTokenName, json);
    WipeString(&json);
    if (!sealed) return sealed.error();
    return Change("/v3/kv/put", EtcdPutRequest(base_ + "token", *sealed));
  }

  Result<std::unique_ptr<FleetLock>> Lock(const Deadline& deadline) override {
    while (true) {
      Result<std::unique_ptr<EtcdFleetLock>> held = TryLock(deadline);
      if (!held) return held.error();
      if (*held) return std::unique_ptr<FleetLock>(std::move(*held));
      // The lease lapsed while this host waited (a tokex stopped with
      // Ctrl-Z, a keepalive that could not get through): etcd 3.4 still
      // grants the lock, which another host may hold by now. Wait again.
    }
  }


  Result<std::vector<StoreFact>> Health() override {
    Result<HttpResponse> r = client_.Call("/v3/maintenance/status", "{}");
    if (!r) return r.error();
    Result<EtcdStatus> status = ParseEtcdStatus(r->body);
    if (!status) return status.error();
    std::string answered = client_.endpoint();
    Result<HttpResponse> listed = client_.Call("/v3/cluster/member/list", "{}");
    Result<std::vector<EtcdMember>> members = listed ? ParseEtcdMembers(listed->body)
                                                     : Result<std::vector<EtcdMember>>(listed.error());
    auto name = [&members](uint64_t id) {
      if (members) {
        for (const EtcdMember& m : *members) {
          if (m.id == id && !m.name.empty()) return m.name;
        }
      }
      return "id " + std::to_string(id);
    };
    std::vector<StoreFact> out;
    out.push_back({"etcd", answered + " answered: member " + name(status->header.member_id) + ", etcd " +
                                 status->version + ", leader " + (status->leader == 0 ? "none" : name(status->leader))});
    Result<std::string> holder = Holder();
    if (!holder) return holder.error();
    out.push_back({"fleet lock", holder->empty() ? "free" : "held by " + *holder});
    Result<std::optional<Credential>> shared = ReadToken();
    if (!shared) return shared.error();
    int64_t now = clock_.Now();
    std::string token = "none";
    if (shared->has_value())
      token = (*shared)->expires_at > now ? "expires in " + HumanDuration((*shared)->expires_at - now)
                                          : "expired " + HumanDuration(now - (*shared)->expires_at) + " ago";
    out.push_back({"shared token", token});
    return out;
  }

 private:
  // One wait for the fleet lock on a new lease: the lock, or nullptr
  // when the lease was gone by the time etcd granted it.
  Result<std::unique_ptr<EtcdFleetLock>> TryLock(const Deadline& deadline) {
    Result<HttpResponse> granted = client_.Call("/v3/lease/grant", EtcdLeaseGrantRequest(p_.etcd->lock_ttl));
    if (!granted) return granted.error();
    Result<EtcdLease> lease = ParseEtcdLease(granted->body);
    if (!lease) return lease.error();
    // The lease is kept alive from now on: etcd 3.4 does not keep a
    // waiter's lease alive, and a waiter whose lease expired would still
    // be told it holds the lock once the holder before it goes.
    auto held = std::make_unique<EtcdFleetLock>(client_, clock_, lease->id, static_cast<double>(p_.etcd->lock_ttl));
    Result<HttpResponse> locked = client_.Call("/v3/lock/lock", EtcdLockRequest(base_ + "lock", lease->id), deadline);
    Result<std::string> key = locked ? ParseEtcdLock(locked->body) : Result<std::string>(locked.error());
    if (!key) {
      held.reset();  // revokes the lease, which takes the waiter's key with it
      if (key.error().kind != ErrorKind::kNetwork) return key.error();
      Result<std::string> holder = Holder(Deadline{clock_.Monotonic() + kCleanupSeconds});
      return MakeError(ErrorKind::kNetwork,
                       "the fleet lock in etcd is still held" +
                           (holder && !holder->empty() ? " by " + *holder : std::string()) +
                           " after waiting " + std::to_string(p_.timeout) +
                           " s: another host is exchanging; try again, or raise timeout");
    }
    Result<HttpResponse> kept = client_.Call("/v3/lease/keepalive", EtcdLeaseRequest(lease->id));
    if (!kept) return kept.error();
    Result<EtcdLease> alive = ParseEtcdLease(kept->body);
    if (!alive) return alive.error();
    if (alive->ttl <= 0) return std::unique_ptr<EtcdFleetLock>();
    // Who holds it, for tokex status; on the lease, so it goes with it.
    char host[256] = "";
    (void)gethostname(host, sizeof host - 1);
    std::string who = Printable(host, 64) + " pid " + std::to_string(getpid()) + " since " + Rfc3339(clock_.Now());
    (void)client_.Call("/v3/kv/put", EtcdPutRequest(base_ + "holder", who, lease->id));
    return held;
  }

  std::string SecretKey(std::string_view name) const { return base_ + "secret/" + std::string(name); }

  // A write (a put or a delete) that etcd answers with a header alone.
  Status Change(std::string_view path, const std::string& body) {
    Result<HttpResponse> r = client_.Call(path, body);
    if (!r) return r.error();
    Result<EtcdHeader> h = ParseEtcdHeader(r->body);
    return h ? Success() : Status(h.error());
  }

  Status Delete(const std::string& key) { return Change("/v3/kv/deleterange", EtcdDeleteRequest(key)); }

  // A token obtained with a secret a person just changed or removed is not
  // handed to other hosts any more (a host's own cache keeps its copy
  // until it expires, as with every store).
  Status DropSharedToken() { return Delete(base_ + "token"); }

  Status SetLocal(std::string_view profile, std::string_view name, const Secret& value) {
    if (name == kKeySecret) {
      Result<Secret> key = DecodeKey(value);
      if (!key) return key.error();
    }
    return local_->Set(profile, name, value);
  }

  // etcd-key as the 32 bytes it stands for.
  Result<Secret> DecodeKey(const Secret& text) const {
    std::string raw;
    bool ok = DecodeBase64(text.view(), &raw) && raw.size() == kAesGcmKeyBytes;
    Secret key(raw);
    WipeString(&raw);
    if (!ok)
      return MakeError(ErrorKind::kStore, "etcd-key is not 32 bytes in base64: make one with 'openssl rand -base64 32 | "
                                          "tokex secret set " + p_.name + " etcd-key' and give every host the same");
    return key;
  }

  Result<Secret> Key() {
    if (!key_) {
      Result<Secret> text = local_->Get(p_.name, kKeySecret);
      if (!text) return text.error();
      Result<Secret> key = DecodeKey(*text);
      if (!key) return key.error();
      key_ = std::move(*key);
    }
    return *key_;
  }

  // The profile and the name, so that a sealed value opens only where it
  // was written.
  std::string AssociatedData(std::string_view name) const {
    return std::string("tokex1") + '\0' + p_.name + '\0' + std::string(name);
  }

  Result<std::string> Seal(std::string_view name, std::string_view plaintext) {
    Result<Secret> key = Key();
    if (!key) return key.error();
    std::string nonce(kAesGcmNonceBytes, '\0');
    SystemRandom random;
    if (Status s = random.Fill({reinterpret_cast<unsigned char*>(nonce.data()), nonce.size()}); !s) return s.error();
    Result<std::string> sealed = SealAesGcm(*key, nonce, AssociatedData(name), plaintext);
    if (!sealed) return sealed.error();
    std::string out = std::string(kSealedPrefix) + Base64(nonce + *sealed);
    WipeString(&*sealed);
    return out;
  }

  Result<Secret> Open(std::string_view name, std::string& value) {
    Result<Secret> key = Key();
    if (!key) {
      WipeString(&value);
      return key.error();
    }
    std::string raw;
    bool decoded = std::string_view(value).starts_with(kSealedPrefix) &&
                   DecodeBase64(std::string_view(value).substr(kSealedPrefix.size()), &raw) &&
                   raw.size() >= kAesGcmNonceBytes + kAesGcmTagBytes;
    WipeString(&value);
    std::string where = Printable(base_, 80) + (name == kTokenName ? "token" : "secret/" + std::string(name));
    if (!decoded)
      return MakeError(ErrorKind::kStore, "etcd's " + where + " is not a value tokex sealed: store it again with "
                                          "'tokex secret set " + p_.name + " " + std::string(name) + "'");
    std::optional<Secret> plain = OpenAesGcm(*key, std::string_view(raw).substr(0, kAesGcmNonceBytes),
                                             AssociatedData(name), std::string_view(raw).substr(kAesGcmNonceBytes));
    WipeString(&raw);
    if (!plain)
      return MakeError(ErrorKind::kStore, "this host's etcd-key cannot open etcd's " + where +
                                              " (sealed with another key, or altered): give every host the key "
                                              "that sealed it with 'tokex secret set " + p_.name + " etcd-key'");
    if (name != kTokenName && !IsUsableSecret(name, plain->view()))
      return MakeError(ErrorKind::kStore, "etcd's " + where + " holds a line break, another control character or "
                                          "invalid UTF-8: store it again with 'tokex secret set " + p_.name + " " +
                                          std::string(name) + "'");
    return std::move(*plain);
  }

  // The key's entry, linearizably read; nullopt when it does not exist.
  Result<std::optional<EtcdKv>> Read(const std::string& key, std::optional<Deadline> until = {}) {
    Result<HttpResponse> r = client_.Call("/v3/kv/range", EtcdRangeRequest(key, false), until);
    if (!r) return r.error();
    Result<EtcdRange> range = ParseEtcdRange(r->body);
    if (!range) return range.error();
    for (EtcdKv& kv : range->kvs) {
      if (kv.key == key) return std::optional<EtcdKv>(std::move(kv));
      WipeString(&kv.value);
    }
    return std::optional<EtcdKv>();
  }

  // Who holds the fleet lock ("" when nobody does).
  Result<std::string> Holder(std::optional<Deadline> until = {}) {
    Result<std::optional<EtcdKv>> kv = Read(base_ + "holder", until);
    if (!kv) return kv.error();
    if (!kv->has_value()) {
      // Held, but its holder has not said who yet (or died before).
      Result<HttpResponse> r = client_.Call("/v3/kv/range", EtcdRangeRequest(base_ + "lock/", true), until);
      if (!r) return r.error();
      Result<EtcdRange> range = ParseEtcdRange(r->body);
      if (!range) return range.error();
      return range->kvs.empty() ? std::string() : "a host that has not said who it is";
    }
    return Printable((*kv)->value, 120);
  }

  const Profile& p_;
  Clock& clock_;
  std::unique_ptr<SecretStore> local_;
  EtcdClient client_;
  std::string base_;
  std::optional<Secret> key_;
};

}  // namespace

std::unique_ptr<SecretStore> OpenEtcdStore(const StoreContext& ctx) {
  return std::make_unique<EtcdStore>(ctx, OpenLocalStore(ctx));
}

}  // namespace tokex
