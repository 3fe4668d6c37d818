#include "rotation.h"

#include "jwt.h"
#include "private_file.h"
#include "refresh_token.h"
#include "text.h"

namespace tokex {

namespace {

constexpr size_t kMaxRecoveryBytes = 64 * 1024;

constexpr std::string_view kRecoverySub = "recovery";

std::string RecoveryDir(const Paths& paths) { return paths.state_dir + "/" + std::string(kRecoverySub); }

constexpr std::string_view kInFlightSuffix = ".pending";

// Writes `value` as `name` in `dir`, a private directory, one line, so that
// `tokex secret set P NAME < FILE` reads it.
Status WriteKept(const std::string& dir, std::string_view name, const Secret& value, bool sync) {
  std::string data(value.view());
  data += '\n';
  Status s = WritePrivateFile(dir, name, data, sync);
  WipeString(&data);
  return s;
}

// Writes `value` where a person (or the next run) can find it.
Status WriteRecovery(const Paths& paths, uid_t uid, std::string_view profile, const Secret& value) {
  if (Status s = EnsurePrivateDirs(paths.state_dir, kRecoverySub, uid); !s) return s;
  return WriteKept(RecoveryDir(paths), profile, value, true);
}

// The value kept in `path` (one line), nullopt when there is none; a file
// that is not the user's private regular file is a kStore error.
Result<std::optional<Secret>> ReadKept(const std::string& path, uid_t uid) {
  Result<std::optional<std::string>> data = ReadPrivateFile(path, uid, kMaxRecoveryBytes);
  if (!data) return MakeError(ErrorKind::kStore, data.error().message);
  if (!data->has_value()) return std::optional<Secret>();
  std::string_view v = **data;
  if (v.ends_with('\n')) v.remove_suffix(1);
  std::optional<Secret> value = v.empty() ? std::nullopt : std::optional<Secret>(Secret(v));
  WipeString(&**data);
  return value;
}

// `next`, which the store refused (`why`), goes to the recovery file; the
// error says where it is. The synced recovery file is then the copy to
// use; only when it could not be written does the in-flight one stay, and
// the error names that instead.
Error KeepAside(ExchangeContext& ctx, std::string_view name, const Secret& next, std::string_view why) {
  const std::string& profile = ctx.profile.name;
  std::string in_flight = InFlightPath(ctx.paths, profile);
  Result<std::optional<Secret>> kept = ReadKept(in_flight, ctx.uid);
  bool have_copy = kept && kept->has_value() && SameSecret(**kept, next);
  Error e = SaveForRecovery(ctx, name, next, why, have_copy ? std::string_view(in_flight) : std::string_view());
  Result<std::optional<Secret>> saved = ReadRecovery(ctx.paths, ctx.uid, profile);
  if (saved && saved->has_value() && SameSecret(**saved, next)) (void)RemoveFile(in_flight);
  return e;
}

}  // namespace

std::string InFlightPath(const Paths& paths, std::string_view profile) {
  return paths.cache_dir + "/" + std::string(profile) + std::string(kInFlightSuffix);
}

std::string RecoveryPath(const Paths& paths, std::string_view profile) {
  return RecoveryDir(paths) + "/" + std::string(profile);
}

Status PersistRotated(ExchangeContext& ctx, std::string_view name, const Secret& spent, const Secret& next) {
  const std::string& profile = ctx.profile.name;
  // The server has spent `spent`: from here until the store has `next`,
  // a tokex killed (or a store that hangs, then a Ctrl-C) would lose it,
  // so a copy goes to the runtime directory first.
  Status copied = EnsurePrivateDir(ctx.paths.cache_dir, ctx.uid);
  if (copied) copied = WriteKept(ctx.paths.cache_dir, profile + std::string(kInFlightSuffix), next, false);
  if (!copied)
    ctx.log.Note(profile, "no in-flight copy of the new " + std::string(name) + ": " + copied.error().message);
  Result<bool> replaced = ctx.store.Replace(profile, name, spent, next);
  if (replaced && *replaced) {
    // Copies kept by an earlier failure, and the in-flight one, are now
    // stale: the stored value is the newest one.
    if (Status s = ClearRecovery(ctx.paths, profile); !s) ctx.log.Notice(profile, "warning: " + s.error().message);
    return Success();
  }
  std::string why = replaced ? "the store holds a " + std::string(name) +
                                   " other than the one just spent (changed while exchanging)"
                             : replaced.error().message;
  return KeepAside(ctx, name, next, why);
}

Error SaveForRecovery(ExchangeContext& ctx, std::string_view name, const Secret& value, std::string_view why,
                      std::string_view copy) {
  const std::string& profile = ctx.profile.name;
  std::string path = RecoveryPath(ctx.paths, profile);
  std::string restore = "restore it with 'tokex secret set " + profile + " " + std::string(name) + " < ";
  if (Status s = WriteRecovery(ctx.paths, ctx.uid, profile, value); !s) {
    std::string what = "the server issued a new " + std::string(name) + " but it could not be stored (" +
                       std::string(why) + ") nor saved to " + path + " (" + s.error().message + "): ";
    if (copy.empty()) return MakeError(ErrorKind::kStore, what + "it is lost; make a new one at the vendor's console");
    return MakeError(ErrorKind::kStore, what + "it is in " + std::string(copy) + " until the machine restarts; " +
                                            restore + std::string(copy) + "'");
  }
  return MakeError(ErrorKind::kStore, "the server issued a new " + std::string(name) + " but the store did not take it (" +
                                          std::string(why) + "): it is saved in " + path + "; " + restore + path + "'");
}

namespace {

// Refuses a refresh token whose own exp (read, not verified: it is the
// server's to verify) has passed, before it is sent anywhere.
Status CheckNotExpired(ExchangeContext& ctx, std::string_view name, const Secret& value, std::string_view fix) {
  std::optional<int64_t> exp = JwtExpiry(value.view());
  if (!exp || *exp > ctx.clock.Now()) return Success();
  return MakeError(ErrorKind::kRejected, "the stored " + std::string(name) + " expired at " + Rfc3339(*exp) + ": " +
                                             std::string(fix));
}

// One spend of `refresh`, `stored` being what the store holds: the new
// value in a 2xx answer is kept before anything else is read from it.
Result<TokenAnswer> Spend(ExchangeContext& ctx, std::string_view name, const Secret& stored, const Secret& refresh,
                          const RejectedFixFn& rejected_fix, const RefreshRequestFn& build) {
  Result<HttpRequest> request = build(ctx, refresh);
  if (!request) return request.error();
  int64_t now = ctx.clock.Now();
  Result<HttpResponse> response = SendRequest(ctx, *request);
  if (!response) return response.error();
  std::string host = TokenHost(ctx.profile);
  std::string fix = rejected_fix(OAuthErrorCode(*response));
  ExchangeHints hints{host, fix};
  if (response->status < 200 || response->status > 299) return ErrorFromResponse(*response, hints);
  std::optional<Secret> next = RefreshTokenIn(*response);
  bool issued = next && !SameSecret(*next, refresh);
  // Without a new value, the one sent stays valid: from the recovery file,
  // it now goes into the store.
  if (!next && !SameSecret(refresh, stored)) next = refresh;
  if (next) {
    Status persisted = PersistRotated(ctx, name, stored, *next);
    // A new one's life starts now, wherever it was kept: the recovery
    // file's copy goes into the store by itself on the next exchange.
    if (issued && name == kRefreshTokenSecret) NoteStoredAt(ctx.paths, ctx.uid, ctx.profile.name, ctx.clock.Now(), ctx.log);
    if (!persisted) return persisted.error();
  }
  Result<TokenAnswer> answer = ParseTokenAnswer(*response, now, hints);
  if (!answer) return answer.error();
  answer->refresh_token = next ? *next : refresh;
  return answer;
}

}  // namespace

Status CheckRotatable(SecretStore& store, std::string_view profile, std::string_view name) {
  if (Status s = store.CheckWritable(profile, name); !s)
    return MakeError(s.error().kind, std::string(name) + " rotates on every exchange and the " + store.Describe() +
                                         " cannot take the new one: use store = secret-service or store = file");
  return Success();
}

Result<TokenAnswer> ExchangeRotating(ExchangeContext& ctx, std::string_view name, std::string_view expired_fix,
                                     const RejectedFixFn& rejected_fix, const RefreshRequestFn& build) {
  const std::string& profile = ctx.profile.name;
  if (Status s = CheckRotatable(ctx.store, profile, name); !s) return s.error();
  Result<Secret> stored = ctx.store.Get(profile, name);
  if (!stored) return stored.error();
  if (Status s = CheckNotExpired(ctx, name, *stored, expired_fix); !s) return s.error();
  Result<TokenAnswer> answer = Spend(ctx, name, *stored, *stored, rejected_fix, build);
  // The stored value may be one the server already spent, its successor
  // kept in the in-flight copy (a tokex that died before the store took
  // it: the newest, when there is one) or in the recovery file (a rotation
  // the store refused).
  std::optional<Secret> tried;
  for (const std::string& path : {InFlightPath(ctx.paths, profile), RecoveryPath(ctx.paths, profile)}) {
    if (answer || answer.error().kind != ErrorKind::kRejected) return answer;
    Result<std::optional<Secret>> kept = ReadKept(path, ctx.uid);
    if (!kept || !kept->has_value() || SameSecret(**kept, *stored) || (tried && SameSecret(**kept, *tried))) continue;
    ctx.log.Notice(profile, "the stored " + std::string(name) + " was refused; trying the one saved in " + path);
    tried = **kept;
    answer = Spend(ctx, name, *stored, **kept, rejected_fix, build);
  }
  return answer;
}

Result<std::optional<Secret>> ReadRecovery(const Paths& paths, uid_t uid, std::string_view profile) {
  return ReadKept(RecoveryPath(paths, profile), uid);
}

Status ClearRecovery(const Paths& paths, std::string_view profile) {
  Status in_flight = RemoveFile(InFlightPath(paths, profile));
  Status recovery = RemoveFile(RecoveryPath(paths, profile));
  return recovery ? in_flight : recovery;
}

}  // namespace tokex
