#include "json.h"

namespace tokex {

// Lookups go through const references: RapidJSON 1.1's mutable member
// iterators compare ambiguously under C++20.
std::string_view JsonString(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return {};
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::optional<int64_t> JsonInt(const rapidjson::Value& obj, const char* name, bool allow_fraction) {
  if (!obj.IsObject()) return std::nullopt;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return std::nullopt;
  if (it->value.IsInt64()) return it->value.GetInt64();
  double d = it->value.IsDouble() ? it->value.GetDouble() : 0;
  if (allow_fraction && it->value.IsDouble() && d > -9.2e18 && d < 9.2e18) return static_cast<int64_t>(d);
  return std::nullopt;
}

}  // namespace tokex
