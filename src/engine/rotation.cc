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

// Writes `value` where a person (or the next run) can find it.
Status WriteRecovery(const Paths& paths, uid_t uid, std::string_view profile, const Secret& value) {
  std::string dir = RecoveryDir(paths);
  if (Status s = EnsurePrivateDirs(paths.state_dir, kRecoverySub, uid); !s) return s;
  std::string data(value.view());
  data += '\n';  // so that `tokex secret set P NAME < FILE` reads one line
  Status s = WritePrivateFile(dir, profile, data, true);
  WipeString(&data);
  return s;
}

}  // namespace

std::string RecoveryPath(const Paths& paths, std::string_view profile) {
  return RecoveryDir(paths) + "/" + std::string(profile);
}

Status PersistRotated(ExchangeContext& ctx, std::string_view name, const Secret& spent, const Secret& next) {
  const std::string& profile = ctx.profile.name;
  Result<bool> replaced = ctx.store.Replace(profile, name, spent, next);
  if (replaced && *replaced) {
    // A copy kept by an earlier failure is now stale: the stored value is
    // the newest one.
    if (Status s = ClearRecovery(ctx.paths, profile); !s) ctx.log.Notice(profile, "warning: " + s.error().message);
    return Success();
  }
  std::string why = replaced ? "the store holds a " + std::string(name) +
                                   " other than the one just spent (changed while exchanging)"
                             : replaced.error().message;
  return SaveForRecovery(ctx, name, next, why);
}

Error SaveForRecovery(ExchangeContext& ctx, std::string_view name, const Secret& value, std::string_view why) {
  const std::string& profile = ctx.profile.name;
  std::string path = RecoveryPath(ctx.paths, profile);
  if (Status s = WriteRecovery(ctx.paths, ctx.uid, profile, value); !s)
    return MakeError(ErrorKind::kStore, "the server issued a new " + std::string(name) + " but it could not be stored (" +
                                            std::string(why) + ") nor saved to " + path + " (" + s.error().message +
                                            "): it is lost; make a new one at the vendor's console");
  return MakeError(ErrorKind::kStore, "the server issued a new " + std::string(name) + " but the store did not take it (" +
                                          std::string(why) + "): it is saved in " + path + "; restore it with 'tokex secret set " +
                                          profile + " " + std::string(name) + " < " + path + "'");
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
  if (answer || answer.error().kind != ErrorKind::kRejected) return answer;
  // The stored value may be one the server already spent, its successor
  // kept in the recovery file by a rotation the store refused.
  Result<std::optional<Secret>> recovered = ReadRecovery(ctx.paths, ctx.uid, profile);
  if (!recovered || !recovered->has_value() || SameSecret(**recovered, *stored)) return answer.error();
  ctx.log.Notice(profile, "the stored " + std::string(name) + " was refused; trying the one saved in " +
                              RecoveryPath(ctx.paths, profile));
  return Spend(ctx, name, *stored, **recovered, rejected_fix, build);
}

Result<std::optional<Secret>> ReadRecovery(const Paths& paths, uid_t uid, std::string_view profile) {
  Result<std::optional<std::string>> data = ReadPrivateFile(RecoveryPath(paths, profile), uid, kMaxRecoveryBytes);
  if (!data) return MakeError(ErrorKind::kStore, data.error().message);
  if (!data->has_value()) return std::optional<Secret>();
  std::string_view v = **data;
  if (v.ends_with('\n')) v.remove_suffix(1);
  std::optional<Secret> value = v.empty() ? std::nullopt : std::optional<Secret>(Secret(v));
  WipeString(&**data);
  return value;
}

Status ClearRecovery(const Paths& paths, std::string_view profile) {
  return RemoveFile(RecoveryPath(paths, profile));
}

}  // namespace tokex
