// Fuzzes the device authorization answer of `tokex login --device`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "login.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  tokex::HttpResponse r;
  r.status = data[0] % 2 == 0 ? 200 : 400;
  r.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  auto d = tokex::ParseDeviceAuthorization(r, "fuzz.example");
  if (d.ok() && (d->device_code.empty() || d->user_code.empty() || d->interval < 1 || d->expires_in < 1)) abort();
  if (!d.ok() && d.error().message.find('\n') != std::string::npos) abort();
  (void)tokex::OAuthErrorCode(r);
  return 0;
}
