#include "refresh_token.h"

#include <cstdint>

#include "jwt.h"
#include "private_file.h"
#include "text.h"

namespace tokex {

namespace {

constexpr size_t kMaxRecordBytes = 64;

constexpr std::string_view kStoredAtSub = "stored-at";

std::string StoredAtDir(const Paths& paths) { return paths.state_dir + "/" + std::string(kStoredAtSub); }

}  // namespace

bool UsesRefreshToken(std::span<const PresetExchange> exchanges, const Profile& profile) {
  return NeedsSecret(exchanges, profile, kRefreshTokenSecret);
}

std::string StoredAtPath(const Paths& paths, std::string_view profile) {
  return StoredAtDir(paths) + "/" + std::string(profile);
}

Status RecordStoredAt(const Paths& paths, uid_t uid, std::string_view profile, int64_t when) {
  if (Status s = EnsurePrivateDirs(paths.state_dir, kStoredAtSub, uid); !s) return s;
  return WritePrivateFile(StoredAtDir(paths), profile, std::to_string(when) + "\n", false);
}

void NoteStoredAt(const Paths& paths, uid_t uid, std::string_view profile, int64_t when, Diagnostics& log) {
  if (Status s = RecordStoredAt(paths, uid, profile, when); !s)
    log.Notice(profile, "warning: when the refresh token was stored is not recorded: " + s.error().message);
}

Result<std::optional<int64_t>> ReadStoredAt(const Paths& paths, uid_t uid, std::string_view profile) {
  Result<std::optional<std::string>> data = ReadPrivateFile(StoredAtPath(paths, profile), uid, kMaxRecordBytes);
  if (!data) return data.error();
  if (!data->has_value()) return std::optional<int64_t>();
  std::string_view v = **data;
  if (v.ends_with('\n')) v.remove_suffix(1);
  return ParseInt(v, 0, INT64_MAX);
}

Status ForgetStoredAt(const Paths& paths, std::string_view profile) {
  return RemoveFile(StoredAtPath(paths, profile));
}

Result<RefreshTokenLife> LifeOf(const Paths& paths, uid_t uid, const Profile& profile, const Secret& token) {
  RefreshTokenLife life;
  if (std::optional<int64_t> exp = JwtExpiry(token.view())) {
    life.expires_at = exp;
    life.from_jwt = true;
    return life;
  }
  Result<std::optional<int64_t>> stored_at = ReadStoredAt(paths, uid, profile.name);
  if (!stored_at) return stored_at.error();
  life.stored_at = *stored_at;
  if (life.stored_at && profile.refresh_token_ttl > 0) life.expires_at = *life.stored_at + profile.refresh_token_ttl;
  return life;
}

Result<StoredSecret> LookUpSecret(SecretStore& store, const Paths& paths, uid_t uid, const Profile& profile,
                                  std::string_view name) {
  Result<bool> has = store.Has(profile.name, name);
  if (!has) return has.error();
  StoredSecret s;
  s.present = *has;
  if (!s.present || name != kRefreshTokenSecret) return s;
  Result<Secret> value = store.Get(profile.name, name);
  if (!value) return value.error();
  Result<RefreshTokenLife> life = LifeOf(paths, uid, profile, *value);
  if (life) {
    s.life = *life;
  } else {
    s.life_unknown = life.error();
  }
  return s;
}

}  // namespace tokex
