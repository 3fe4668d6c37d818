#include "cache.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <dirent.h>

#include <cerrno>
#include <cstring>

#include "json.h"
#include "private_file.h"

namespace tokex {

namespace {

constexpr int kCacheVersion = 1;
constexpr int kFailureVersion = 1;
// Anything the 1 MiB response cap lets through must fit: a token is kept
// twice (bare and in its Authorization header), each escaped at most 2x.
constexpr size_t kMaxCacheBytes = 5 << 20;
constexpr size_t kMaxFailureBytes = 64 * 1024;
constexpr std::string_view kRecordSuffix = ".json";
constexpr std::string_view kFailureSuffix = ".failed";

// What a file in the cache directory is: a record of `profile`
// (PROFILE.json, PROFILE.failed), or the temporary file of one being
// written (.PROFILE.json.XXXXXX, see WritePrivateFile); nullopt for
// anything else, such as lock files.
struct CacheFileName {
  std::string_view profile;
  bool temporary = false;
};

std::optional<CacheFileName> ParseCacheFileName(std::string_view name) {
  bool temporary = name.starts_with('.');
  if (temporary) {
    name.remove_prefix(1);
    if (name.size() < 7 || name[name.size() - 7] != '.') return std::nullopt;
    name.remove_suffix(7);
  }
  for (std::string_view suffix : {kRecordSuffix, kFailureSuffix}) {
    if (name.size() > suffix.size() && name.ends_with(suffix))
      return CacheFileName{name.substr(0, name.size() - suffix.size()), temporary};
  }
  return std::nullopt;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer* w, std::string_view s) { w->String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

bool GetInt(const rapidjson::Value& obj, const char* name, int64_t* out) {
  std::optional<int64_t> v = JsonInt(obj, name);
  if (v) *out = *v;
  return v.has_value();
}

}  // namespace

std::string SerializeCacheRecord(const CacheRecord& r) {
  const Credential& c = r.credential;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("v");
  w.Int(kCacheVersion);
  w.Key("key");
  Str(&w, r.key);
  w.Key("profile");
  Str(&w, r.profile);
  w.Key("obtained_at");
  w.Int64(c.obtained_at);
  w.Key("expires_at");
  w.Int64(c.expires_at);
  w.Key("access_token");
  Str(&w, c.access_token.view());
  w.Key("token_type");
  Str(&w, c.token_type);
  w.Key("scope");
  Str(&w, c.scope);
  w.Key("headers");
  w.StartArray();
  for (const HeaderField& h : c.headers) {
    w.StartArray();
    Str(&w, h.name);
    Str(&w, h.value.view());
    w.EndArray();
  }
  w.EndArray();
  w.Key("cookies");
  w.StartArray();
  for (const Cookie& k : c.cookies) {
    w.StartObject();
    w.Key("domain");
    Str(&w, k.domain);
    w.Key("path");
    Str(&w, k.path);
    w.Key("name");
    Str(&w, k.name);
    w.Key("value");
    Str(&w, k.value.view());
    w.Key("secure");
    w.Bool(k.secure);
    w.Key("expires");
    w.Int64(k.expires);
    w.EndObject();
  }
  w.EndArray();
  if (!c.csrf_param.empty()) {
    w.Key("csrf_param");
    Str(&w, c.csrf_param);
  }
  w.EndObject();
  std::string out(sb.GetString(), sb.GetSize());
  WipeBytes(const_cast<char*>(sb.GetString()), sb.GetSize());
  return out;
}

Result<CacheRecord> ParseCacheRecord(std::string json) {
  auto corrupt = [] { return MakeError(ErrorKind::kInternal, "cache record is corrupt"); };
  rapidjson::Document doc;
  // In-situ parsing keeps token bytes in `json`, which is wiped below,
  // rather than in the document's allocator. The iterative parser keeps
  // its nesting on the heap: a file of a million '[' must not overflow
  // the stack.
  doc.ParseInsitu<rapidjson::kParseIterativeFlag>(json.data());
  CacheRecord r;
  int64_t version = 0;
  bool ok = !doc.HasParseError() && doc.IsObject() && GetInt(doc, "v", &version) &&
            version == kCacheVersion && GetInt(doc, "obtained_at", &r.credential.obtained_at) &&
            GetInt(doc, "expires_at", &r.credential.expires_at);
  if (ok) {
    Credential& c = r.credential;
    r.key = JsonString(doc, "key");
    r.profile = JsonString(doc, "profile");
    c.access_token = Secret(JsonString(doc, "access_token"));
    c.token_type = JsonString(doc, "token_type");
    c.scope = JsonString(doc, "scope");
    c.csrf_param = JsonString(doc, "csrf_param");
    // Const iterators: RapidJSON's mutable ones compare ambiguously in C++20.
    const rapidjson::Value& root = doc;
    auto headers = root.FindMember("headers");
    auto cookies = root.FindMember("cookies");
    ok = headers != root.MemberEnd() && headers->value.IsArray() && cookies != root.MemberEnd() &&
         cookies->value.IsArray();
    for (auto h = ok ? headers->value.Begin() : nullptr; ok && h != headers->value.End(); ++h) {
      ok = h->IsArray() && h->Size() == 2 && (*h)[0].IsString() && (*h)[1].IsString();
      if (ok)
        c.headers.push_back(HeaderField{
            (*h)[0].GetString(), Secret(std::string_view((*h)[1].GetString(), (*h)[1].GetStringLength()))});
    }
    for (auto k = ok ? cookies->value.Begin() : nullptr; ok && k != cookies->value.End(); ++k) {
      ok = k->IsObject() && k->HasMember("secure") && (*k)["secure"].IsBool();
      Cookie cookie;
      ok = ok && GetInt(*k, "expires", &cookie.expires);
      if (!ok) break;
      cookie.domain = JsonString(*k, "domain");
      cookie.path = JsonString(*k, "path");
      cookie.name = JsonString(*k, "name");
      cookie.value = Secret(JsonString(*k, "value"));
      cookie.secure = (*k)["secure"].GetBool();
      c.cookies.push_back(std::move(cookie));
    }
    ok = ok && !r.key.empty() && ValidateCredential(c).ok();
  }
  WipeString(&json);
  if (!ok) return corrupt();
  return r;
}

Result<TokenCache> TokenCache::Open(std::string dir, uid_t uid) {
  if (Status s = EnsurePrivateDir(dir, uid); !s) return s.error();
  return TokenCache(std::move(dir), uid);
}

std::string TokenCache::FilePath(std::string_view profile) const {
  return dir_ + "/" + std::string(profile) + std::string(kRecordSuffix);
}

std::string TokenCache::FailurePath(std::string_view profile) const {
  return dir_ + "/" + std::string(profile) + std::string(kFailureSuffix);
}

std::string TokenCache::LockPath(std::string_view profile) const {
  return dir_ + "/" + std::string(profile) + ".lock";
}

std::optional<Credential> TokenCache::Read(std::string_view profile, std::string_view key) const {
  Result<std::optional<std::string>> data = ReadPrivateFile(FilePath(profile), uid_, kMaxCacheBytes);
  if (!data || !data->has_value()) return std::nullopt;
  Result<CacheRecord> record = ParseCacheRecord(std::move(**data));
  if (!record || record->key != key || record->profile != profile) return std::nullopt;
  return std::move(record->credential);
}

Status TokenCache::Write(std::string_view profile, std::string_view key, const Credential& c) const {
  if (Status s = RemoveFiles(profile, true); !s) return s;
  std::string json = SerializeCacheRecord(CacheRecord{std::string(key), std::string(profile), c});
  Status s = WritePrivateFile(dir_, std::string(profile) + std::string(kRecordSuffix), json, false);
  WipeString(&json);
  if (s) (void)RemoveFile(FailurePath(profile));
  return s;
}

std::optional<Error> TokenCache::ReadFailure(std::string_view profile, std::string_view key, int64_t since_ms) const {
  Result<std::optional<std::string>> data = ReadPrivateFile(FailurePath(profile), uid_, kMaxFailureBytes);
  if (!data || !data->has_value()) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>((*data)->data(), (*data)->size());
  int64_t version = 0, ended = 0, kind = 0;
  if (doc.HasParseError() || !GetInt(doc, "v", &version) || version != kFailureVersion ||
      !GetInt(doc, "ended_ms", &ended) || !GetInt(doc, "kind", &kind) || JsonString(doc, "key") != key ||
      ended < since_ms || kind < static_cast<int>(ErrorKind::kInternal) || kind > static_cast<int>(ErrorKind::kNetwork))
    return std::nullopt;
  return InProfile(MakeError(static_cast<ErrorKind>(kind), std::string(JsonString(doc, "message"))), profile);
}

Status TokenCache::WriteFailure(std::string_view profile, std::string_view key, const Error& e,
                                int64_t ended_ms) const {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("v");
  w.Int(kFailureVersion);
  w.Key("key");
  Str(&w, key);
  w.Key("ended_ms");
  w.Int64(ended_ms);
  w.Key("kind");
  w.Int(static_cast<int>(e.kind));
  w.Key("message");
  Str(&w, e.message);
  w.EndObject();
  return WritePrivateFile(dir_, std::string(profile) + std::string(kFailureSuffix),
                          std::string_view(sb.GetString(), sb.GetSize()), false);
}

Status TokenCache::Forget(std::string_view profile) const { return RemoveFiles(profile, false); }

Status TokenCache::ForgetAll() const { return RemoveFiles({}, false); }

Status TokenCache::RemoveFiles(std::string_view profile, bool temporary_only) const {
  DIR* dir = opendir(dir_.c_str());
  if (dir == nullptr) return MakeError(ErrorKind::kInternal, "cannot list " + dir_ + ": " + strerror(errno));
  Status result = Success();
  while (const dirent* e = readdir(dir)) {
    std::optional<CacheFileName> file = ParseCacheFileName(e->d_name);
    if (!file || (temporary_only && !file->temporary) || (!profile.empty() && file->profile != profile)) continue;
    if (Status s = RemoveFile(dir_ + "/" + e->d_name); !s) result = s;
  }
  closedir(dir);
  return result;
}

}  // namespace tokex
