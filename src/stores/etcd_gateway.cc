#include "etcd_gateway.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>

#include "crypto.h"
#include "json.h"
#include "text.h"

namespace tokex {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// The bytes of `sb` as a string; the buffer is wiped (it may hold a
// password).
std::string Take(rapidjson::StringBuffer& sb) {
  std::string out(sb.GetString(), sb.GetSize());
  memset(const_cast<char*>(sb.GetString()), 0, sb.GetSize());
  return out;
}

// A JSON object whose members `fill` writes.
template <typename Fill>
std::string Object(Fill fill) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  fill(w);
  w.EndObject();
  return Take(sb);
}

void Base64Member(Writer& w, const char* name, std::string_view bytes) {
  std::string b64 = Base64(bytes);
  w.Key(name);
  w.String(b64.data(), static_cast<rapidjson::SizeType>(b64.size()));
  WipeString(&b64);
}

// 64-bit numbers go as strings, as the gateway writes them.
void NumberMember(Writer& w, const char* name, int64_t n) {
  std::string s = std::to_string(n);
  w.Key(name);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// Writes the members of a range request.
void RangeMembers(Writer& w, std::string_view key, bool prefix) {
  Base64Member(w, "key", key);
  if (prefix) {
    // The range end that covers every key starting with `key`: its last
    // byte below 0xff plus one (etcd's "prefix" rule).
    std::string end(key);
    while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
    if (end.empty()) end.assign(1, '\0');
    else end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
    Base64Member(w, "range_end", end);
  }
}

Error Malformed(std::string_view what) {
  return MakeError(ErrorKind::kStore, "etcd sent an answer tokex cannot read (" + std::string(what) +
                                          "): check that etcd-endpoints names etcd 3.4 or later");
}

// Parses `body` (bounded by the HTTP client's cap) without recursion, so
// that deep nesting cannot exhaust the stack.
Result<rapidjson::Document> Parse(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return Malformed("not a JSON object");
  return doc;
}

// A 64-bit number that the gateway writes as a string (or, leniently, as a
// JSON integer); absent is 0, as proto3 leaves out zero values.
std::optional<int64_t> Int64Member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return std::nullopt;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return 0;
  if (it->value.IsInt64()) return it->value.GetInt64();
  if (!it->value.IsString()) return std::nullopt;
  return ParseInt(std::string_view(it->value.GetString(), it->value.GetStringLength()), INT64_MIN + 1, INT64_MAX);
}

std::optional<uint64_t> Uint64Member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return std::nullopt;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return 0;
  if (it->value.IsUint64()) return it->value.GetUint64();
  if (!it->value.IsString() || it->value.GetStringLength() == 0 || it->value.GetStringLength() > 20) return std::nullopt;
  uint64_t n = 0;
  for (const char* c = it->value.GetString(); *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return std::nullopt;
    unsigned d = static_cast<unsigned>(*c - '0');
    if (n > (UINT64_MAX - d) / 10) return std::nullopt;
    n = n * 10 + d;
  }
  return n;
}

// A base64 member (absent: empty).
std::optional<std::string> BytesMember(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return std::string();
  if (!it->value.IsString()) return std::nullopt;
  std::string out;
  if (!DecodeBase64(std::string_view(it->value.GetString(), it->value.GetStringLength()), &out)) return std::nullopt;
  return out;
}

Result<EtcdHeader> HeaderOf(const rapidjson::Value& obj) {
  auto it = obj.FindMember("header");
  if (it == obj.MemberEnd() || !it->value.IsObject()) return Malformed("no header");
  std::optional<uint64_t> member = Uint64Member(it->value, "member_id");
  std::optional<int64_t> revision = Int64Member(it->value, "revision");
  if (!member || !revision) return Malformed("a header without member_id or revision");
  return EtcdHeader{*member, *revision};
}

// The range answer in `obj` (a whole answer, or a transaction's
// response_range).
Result<EtcdRange> RangeOf(const rapidjson::Value& obj, bool need_header) {
  EtcdRange out;
  if (need_header) {
    Result<EtcdHeader> h = HeaderOf(obj);
    if (!h) return h.error();
    out.header = *h;
  }
  auto kvs = obj.FindMember("kvs");
  if (kvs == obj.MemberEnd()) return out;
  if (!kvs->value.IsArray()) return Malformed("kvs is not a list");
  for (const rapidjson::Value& kv : kvs->value.GetArray()) {
    if (!kv.IsObject()) return Malformed("a kvs entry is not an object");
    std::optional<std::string> key = BytesMember(kv, "key");
    std::optional<std::string> value = BytesMember(kv, "value");
    std::optional<int64_t> create = Int64Member(kv, "create_revision");
    std::optional<int64_t> mod = Int64Member(kv, "mod_revision");
    std::optional<int64_t> lease = Int64Member(kv, "lease");
    if (!key || !value || !create || !mod || !lease) {
      if (value) WipeString(&*value);
      return Malformed("a kvs entry with a bad key, value or revision");
    }
    out.kvs.push_back({std::move(*key), std::move(*value), *create, *mod, *lease});
  }
  return out;
}

}  // namespace

std::string EtcdRangeRequest(std::string_view key, bool prefix) {
  return Object([&](Writer& w) {
    RangeMembers(w, key, prefix);
  });
}

std::string EtcdPutRequest(std::string_view key, std::string_view value, int64_t lease) {
  return Object([&](Writer& w) {
    Base64Member(w, "key", key);
    Base64Member(w, "value", value);
    if (lease != 0) NumberMember(w, "lease", lease);
  });
}

std::string EtcdCompareAndPutRequest(std::string_view key, std::string_view value, int64_t mod_revision) {
  return Object([&](Writer& w) {
    w.Key("compare");
    w.StartArray();
    w.StartObject();
    Base64Member(w, "key", key);
    w.Key("result");
    w.String("EQUAL");
    // A key that does not exist has version 0; one that does, the revision
    // of its last change.
    w.Key("target");
    w.String(mod_revision == 0 ? "VERSION" : "MOD");
    NumberMember(w, mod_revision == 0 ? "version" : "mod_revision", mod_revision);
    w.EndObject();
    w.EndArray();
    w.Key("success");
    w.StartArray();
    w.StartObject();
    w.Key("request_put");
    w.StartObject();
    Base64Member(w, "key", key);
    Base64Member(w, "value", value);
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.Key("failure");
    w.StartArray();
    w.StartObject();
    w.Key("request_range");
    w.StartObject();
    RangeMembers(w, key, false);
    w.EndObject();
    w.EndObject();
    w.EndArray();
  });
}

std::string EtcdDeleteRequest(std::string_view key) { return EtcdRangeRequest(key, false); }

std::string EtcdLeaseGrantRequest(int64_t ttl) {
  return Object([&](Writer& w) {
    NumberMember(w, "TTL", ttl);
  });
}

std::string EtcdLeaseRequest(int64_t id) {
  return Object([&](Writer& w) {
    NumberMember(w, "ID", id);
  });
}

std::string EtcdLockRequest(std::string_view name, int64_t lease) {
  return Object([&](Writer& w) {
    Base64Member(w, "name", name);
    NumberMember(w, "lease", lease);
  });
}

std::string EtcdAuthRequest(std::string_view user, const Secret& password) {
  return Object([&](Writer& w) {
    w.Key("name");
    w.String(user.data(), static_cast<rapidjson::SizeType>(user.size()));
    w.Key("password");
    w.String(password.view().data(), static_cast<rapidjson::SizeType>(password.size()));
  });
}

Result<EtcdRange> ParseEtcdRange(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  return RangeOf(*doc, true);
}

Result<bool> ParseEtcdTxn(std::string_view body, EtcdRange* read) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  const rapidjson::Value& d = *doc;
  Result<EtcdHeader> header = HeaderOf(d);
  if (!header) return header.error();
  auto succeeded = d.FindMember("succeeded");
  bool ok = succeeded != d.MemberEnd() && succeeded->value.IsBool() && succeeded->value.GetBool();
  if (succeeded != d.MemberEnd() && !succeeded->value.IsBool()) return Malformed("succeeded is not true or false");
  if (ok) return true;
  *read = EtcdRange{*header, {}};
  auto responses = d.FindMember("responses");
  if (responses == d.MemberEnd()) return false;
  if (!responses->value.IsArray()) return Malformed("responses is not a list");
  for (const rapidjson::Value& r : responses->value.GetArray()) {
    if (!r.IsObject()) return Malformed("a response is not an object");
    auto range = r.FindMember("response_range");
    if (range == r.MemberEnd() || !range->value.IsObject()) continue;
    Result<EtcdRange> got = RangeOf(range->value, false);
    if (!got) return got.error();
    read->kvs = std::move(got->kvs);
  }
  return false;
}

Result<EtcdHeader> ParseEtcdHeader(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  return HeaderOf(*doc);
}

Result<EtcdLease> ParseEtcdLease(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  // A keepalive's answer comes wrapped in "result" (a stream's message).
  const rapidjson::Value& d = *doc;
  const rapidjson::Value* obj = &d;
  if (auto r = d.FindMember("result"); r != d.MemberEnd() && r->value.IsObject()) obj = &r->value;
  std::optional<int64_t> id = Int64Member(*obj, "ID");
  std::optional<int64_t> ttl = Int64Member(*obj, "TTL");
  if (!id || !ttl || *id == 0) return Malformed("a lease without ID or TTL");
  return EtcdLease{*id, *ttl};
}

Result<std::string> ParseEtcdLock(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  std::optional<std::string> key = BytesMember(*doc, "key");
  if (!key || key->empty()) return Malformed("a lock answer without its key");
  return std::move(*key);
}

Result<Secret> ParseEtcdAuth(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  std::string_view token = JsonString(*doc, "token");
  if (token.empty() || HasControlChars(token)) return Malformed("a sign-in answer without a usable token");
  return Secret(token);
}

Result<EtcdStatus> ParseEtcdStatus(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  Result<EtcdHeader> header = HeaderOf(*doc);
  if (!header) return header.error();
  std::optional<uint64_t> leader = Uint64Member(*doc, "leader");
  if (!leader) return Malformed("a status with a bad leader");
  return EtcdStatus{*header, Printable(JsonString(*doc, "version"), 40), *leader};
}

Result<std::vector<EtcdMember>> ParseEtcdMembers(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return doc.error();
  std::vector<EtcdMember> out;
  const rapidjson::Value& d = *doc;
  auto members = d.FindMember("members");
  if (members == d.MemberEnd()) return out;
  if (!members->value.IsArray()) return Malformed("members is not a list");
  for (const rapidjson::Value& m : members->value.GetArray()) {
    std::optional<uint64_t> id = Uint64Member(m, "ID");
    if (!m.IsObject() || !id) return Malformed("a member without an ID");
    out.push_back({*id, Printable(JsonString(m, "name"), 64)});
  }
  return out;
}

std::string EtcdErrorMessage(std::string_view body) {
  Result<rapidjson::Document> doc = Parse(body);
  if (!doc) return "";
  std::string_view m = JsonString(*doc, "message");
  if (m.empty()) m = JsonString(*doc, "error");
  return Printable(m, 160);
}

}  // namespace tokex
