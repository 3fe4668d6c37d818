// Fuzzes reading a JWT's claims without verifying it (a vendor's refresh
// token, an access token's expiry): any input gives claims that parse as a
// JSON object, or a one-line error.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto claims = tokex::DecodeJwtClaims(token);
  if (claims.ok()) {
    rapidjson::Document doc;
    doc.Parse(claims->data(), claims->size());
    if (doc.HasParseError() || !doc.IsObject()) abort();
  } else if (claims.error().message.find('\n') != std::string_view::npos) {
    abort();
  }
  (void)tokex::JwtExpiry(token);
  return 0;
}
