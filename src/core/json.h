// Reading members of RapidJSON objects without surprises.
#ifndef TOKEX_JSON_H_
#define TOKEX_JSON_H_

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace tokex {

/// The string member `name` of `obj`; empty when `obj` is not an object or
/// the member is missing or not a string.
std::string_view JsonString(const rapidjson::Value& obj, const char* name);

/// The integer member `name` of `obj` (a JSON number with no fraction, or
/// with one when `allow_fraction`, truncated); nullopt otherwise.
std::optional<int64_t> JsonInt(const rapidjson::Value& obj, const char* name, bool allow_fraction = false);

}  // namespace tokex

#endif  // TOKEX_JSON_H_
