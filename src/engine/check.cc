#include "check.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "exchange.h"
#include "http.h"
#include "refresh_token.h"
#include "rotation.h"
#include "secret_store.h"
#include "text.h"
#include "url.h"

namespace tokex {

namespace {

constexpr std::string_view kSetClock = "set the clock right (timedatectl set-ntp true, or your NTP client)";

// The lines of one profile as its steps run, and its first failure.
class Report {
 public:
  explicit Report(std::string_view profile) : profile_(profile) {}

  void Ok(std::string step, std::string text) { Add(CheckLevel::kOk, std::move(step), std::move(text)); }
  void Warn(std::string step, std::string text) { Add(CheckLevel::kWarn, std::move(step), std::move(text)); }
  void Skip(std::string step, std::string why) { Add(CheckLevel::kSkip, std::move(step), std::move(why)); }

  // The step failed with `e`, whose message (what happened: what to do)
  // becomes the line.
  void Fail(std::string step, const Error& e) {
    Add(CheckLevel::kFail, std::move(step), e.message);
    if (!report_.failure) report_.failure = InProfile(e, profile_);
  }

  CheckReport Done() { return std::move(report_); }

 private:
  void Add(CheckLevel level, std::string step, std::string text) {
    report_.lines.push_back({level, std::move(step), std::move(text)});
  }

  std::string profile_;
  CheckReport report_;
};

// A refresh token's expiry, as status reads it: past (a failure: the
// exchange refuses it), near or far. False when it is past.
bool CheckExpiry(const Profile& p, std::string_view name, int64_t exp, bool can_login, int64_t now, Report& r) {
  std::string step = "secret " + std::string(name);
  std::string fix = "a person must get a new one and store it with 'tokex secret set " + p.name + " " +
                    std::string(name) + "'" + (can_login ? " or 'tokex login " + p.name + "'" : "");
  if (exp <= now) {
    r.Fail(step, MakeError(ErrorKind::kRejected,
                           "stored, but expired " + HumanDuration(now - exp) + " ago (" + Rfc3339(exp) + "): " + fix));
    return false;
  }
  if (exp - now < kRefreshTokenWarning) {
    r.Warn(step, "stored, expires in " + HumanDuration(exp - now) + " (" + Rfc3339(exp) + "): before then, " + fix);
  } else {
    r.Ok(step, "stored, expires in " + HumanDuration(exp - now) + " (" + Rfc3339(exp) + ")");
  }
  return true;
}

// One secret's line: stored (a refresh token's expiry checked), or the
// store's own error, which for a missing secret names its fix. False
// when the exchange cannot use it.
bool CheckSecret(const Profile& p, SecretStore& store, std::string_view name, Result<StoredSecret> s,
                 EngineDeps& deps, Report& r) {
  std::string step = "secret " + std::string(name);
  if (s && !s->present) {
    Result<Secret> missing = store.Get(p.name, name);
    if (!missing) s = missing.error();
  }
  if (!s) {
    r.Fail(step, s.error());
    return false;
  }
  if (s->life_unknown) {
    r.Warn(step, "stored; " + s->life_unknown->message);
    return true;
  }
  if (!s->life.expires_at) {
    r.Ok(step, "stored");
    return true;
  }
  const PresetExchange* row = FindPresetExchange(deps.exchanges, p.preset->name);
  return CheckExpiry(p, name, *s->life.expires_at, row != nullptr && row->login != nullptr, deps.clock.Now(), r);
}

// The store and each secret the exchange needs; true when the exchange
// has every secret it needs.
bool CheckSecrets(const Profile& p, EngineDeps& deps, Report& r) {
  std::unique_ptr<SecretStore> store = deps.open_store(p);
  std::vector<std::string_view> names = NeededSecrets(deps.exchanges, p);
  std::string where = store->Describe() + " (store = " + std::string(p.store->name) + ")";
  if (names.empty()) {
    r.Ok("store", where + ": no secret needed");
    return true;
  }
  // The first look-up tells whether the store can be used at all.
  Result<StoredSecret> first = LookUpSecret(*store, deps.paths, deps.uid, p, names[0]);
  if (!first) {
    r.Fail("store", first.error());
    for (std::string_view name : names) r.Skip("secret " + std::string(name), "the store cannot be used");
    return false;
  }
  bool usable = true;
  Result<std::vector<StoreFact>> facts = store->Health();
  if (!facts) {
    r.Fail("store", facts.error());
    usable = false;
  }
  for (const StoreFact& f : facts ? *facts : std::vector<StoreFact>()) r.Ok(f.what, f.text);
  Status rotates = UsesRefreshToken(deps.exchanges, p) ? CheckRotatable(*store, p.name, kRefreshTokenSecret) : Success();
  if (rotates) {
    r.Ok("store", where + ": reachable");
  } else {
    r.Fail("store", rotates.error());
    usable = false;
  }
  for (std::string_view name : names) {
    Result<StoredSecret> s = name == names[0] ? std::move(first) : LookUpSecret(*store, deps.paths, deps.uid, p, name);
    usable = CheckSecret(p, *store, name, std::move(s), deps, r) && usable;
  }
  return usable;
}

// The CA the profile trusts, for lines.
std::string CaInUse(const Profile& p) { return p.ca_file.empty() ? "system" : p.ca_file; }

// The server's certificate: verified (or why not), and when it expires.
void CheckTls(const Profile& p, const HttpInspection& i, int64_t now, Report& r) {
  std::string host = TokenHost(p);
  if (i.error && i.failed_at == HttpStage::kTls) {
    if (i.error->kind != ErrorKind::kNetwork) return r.Fail("tls", *i.error);
    Error e = *i.error;
    std::string trusted = p.ca_file.empty() ? "the system's CAs" : "ca-file " + p.ca_file;
    // A handshake cut short or timed out may pass; a certificate refused
    // will not (HttpInspection's error is transient in the first case).
    e.message = e.transient ? "no TLS handshake with " + host + " (" + i.reason +
                                  "): check that it serves https on that port, or raise timeout"
                            : "cannot verify " + host + " with " + trusted + " (" + i.reason +
                                  "): set ca-file to the CA that issued its certificate, or check token-url";
    return r.Fail("tls", e);
  }
  if (!p.token_url.starts_with("https:")) {
    return r.Warn("tls", host + " is plain http (allow-http = yes): secrets and tokens cross the network "
                               "unencrypted: use https");
  }
  std::string ca = " (CA: " + CaInUse(p) + ")";
  if (!i.certificate_expiry) return r.Ok("tls", host + ", certificate verified" + ca);
  int64_t exp = *i.certificate_expiry;
  if (exp - now < kCertificateWarnSeconds) {
    return r.Warn("tls", host + ", certificate verified" + ca + " but expires in " + HumanDuration(exp - now) +
                             " (" + Rfc3339(exp) + "): unless the server gets a new one by then, "
                             "every exchange will fail");
  }
  r.Ok("tls", host + ", certificate valid until " + Rfc3339(exp) + ca);
}

// The local clock against the Date of the server's answer.
void CheckClock(const Profile& p, const HttpInspection& i, int64_t now, EngineDeps& deps, Report& r) {
  std::string host = TokenHost(p);
  if (!i.response) return r.Skip("clock", "no answer from " + host + " to compare with: " + i.error->message);
  std::optional<std::string_view> header = i.response->Header("date");
  std::optional<int64_t> date = header ? ParseHttpDate(*header) : std::nullopt;
  if (!date) return r.Skip("clock", host + " sent no Date header to compare with");
  int64_t skew = *date - now;
  int64_t off = std::abs(skew);
  if (off <= kClockWarnSeconds)
    return r.Ok("clock", std::to_string(off) + " s apart from " + host + "'s (up to " +
                             std::to_string(kClockWarnSeconds) + " s is fine)");
  std::string text = std::to_string(off) + " s " + (skew > 0 ? "behind " : "ahead of ") + host + "'s";
  if (off > kClockFailSeconds && SignsAssertions(deps.exchanges, p)) {
    return r.Fail("clock", MakeError(ErrorKind::kRejected, text + ", more than the " +
                                                               std::to_string(kClockFailSeconds) +
                                                               " s servers allow in a signed assertion's time: " +
                                                               std::string(kSetClock)));
  }
  r.Warn("clock", text + ": " + std::string(kSetClock));
}

// dns, connect, tls and clock, from one request to the token URL. Returns
// why an exchange cannot get through, or empty when it may.
std::string CheckNetwork(const Profile& p, const Deadline& deadline, EngineDeps& deps, Report& r) {
  Result<Url> url = ParseUrl(p.token_url);  // the config parser has checked it
  std::string name = url ? url->host : p.token_url;
  std::string host = TokenHost(p);
  HttpRequest probe = TokenRequest(p);
  probe.method = "GET";  // carries nothing: no secret is sent to a server not yet checked
  probe.timeout_seconds = std::min(probe.timeout_seconds, deadline.Remaining(deps.clock.Monotonic()));
  HttpInspection i = deps.http.Inspect(probe);
  int64_t now = deps.clock.Now();
  auto fail = [&](std::string step, std::string text, std::vector<std::string> skipped, std::string why) {
    Error e = *i.error;
    if (e.kind == ErrorKind::kNetwork) e.message = std::move(text);
    r.Fail(std::move(step), e);
    for (std::string& s : skipped) r.Skip(std::move(s), why);
    return why;
  };
  if (i.error && i.failed_at == HttpStage::kResolve) {
    return fail("dns", "cannot resolve " + name + " (" + i.reason + "): check the host in token-url, base-url or "
                "region, and the DNS and proxy settings", {"connect", "tls", "clock"}, name + " does not resolve");
  }
  r.Ok("dns", name + (i.address.empty() ? " resolves" : " resolves to " + i.address));
  if (i.error && i.failed_at == HttpStage::kConnect) {
    return fail("connect", "cannot connect to " + host + " (" + i.reason + "): check that the server is up, the "
                "port, and the firewall and proxy settings", {"tls", "clock"}, "cannot connect to " + host);
  }
  r.Ok("connect", "connected to " + host);
  CheckTls(p, i, now, r);
  if (i.error && i.failed_at == HttpStage::kTls) {
    r.Skip("clock", "no TLS connection to " + host);
    return "no TLS connection to " + host;
  }
  CheckClock(p, i, now, deps, r);
  return {};
}

// One exchange, the way every command makes it; its token is cached.
void CheckExchange(const Profile& p, const CheckOptions& options, const Deadline& deadline, EngineDeps& deps,
                   Report& r) {
  if (UsesRefreshToken(deps.exchanges, p) && !options.exchange_rotating) {
    return r.Skip("exchange", "it would spend the refresh token, which the server replaces: 'tokex check "
                              "--exchange " + p.name + "' makes one anyway (the new refresh token is stored)");
  }
  ObtainOptions obtain{.use_cache = true, .force = true, .deadline = deadline};
  Result<Credential> c = ObtainCredential(p, obtain, deps);
  if (!c) return r.Fail("exchange", c.error());
  int64_t now = deps.clock.Now();
  r.Ok("exchange", "token obtained from " + TokenHost(p) + ", valid for " +
                       HumanDuration(std::max<int64_t>(0, c->expires_at - now)) + " (until " + Rfc3339(c->expires_at) +
                       "), cached");
}

}  // namespace

bool SignsAssertions(std::span<const PresetExchange> exchanges, const Profile& profile) {
  // Cylance's auth token carries iat and exp from this clock; a private
  // key signs a JWT assertion with them (RFC 7523 section 3).
  return profile.preset->name == "cylance" || NeedsSecret(exchanges, profile, "private-key");
}

CheckReport CheckProfile(const Profile& p, const CheckOptions& options, EngineDeps& deps) {
  Report r(p.name);
  if (p.error) {
    r.Fail("config", *p.error);
    for (std::string_view step : {"store", "dns", "connect", "tls", "clock", "exchange"})
      r.Skip(std::string(step), "the profile cannot be used until its config is fixed");
    return r.Done();
  }
  r.Ok("config", p.source + ":" + std::to_string(p.line) + ", preset " + std::string(p.preset->name));
  Deadline deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)};
  bool secrets = CheckSecrets(p, deps, r);
  std::string unreachable = CheckNetwork(p, deadline, deps, r);
  if (!unreachable.empty()) {
    r.Skip("exchange", unreachable);
  } else if (!secrets) {
    r.Skip("exchange", "the store or a secret failed above");
  } else {
    CheckExchange(p, options, deadline, deps, r);
  }
  return r.Done();
}

std::string FormatCheckLine(std::string_view profile, const CheckLine& line) {
  static constexpr std::string_view kLevels[] = {"ok    ", "warn  ", "fail  ", "skip  "};
  std::string text = std::string(profile) + ": ";
  text += kLevels[static_cast<int>(line.level)];
  text += line.step + ": " + line.text;
  return TerminalSafe(text) + "\n";
}

}  // namespace tokex
