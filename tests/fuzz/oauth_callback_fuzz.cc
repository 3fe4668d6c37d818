// Fuzzes the parser of what arrives on the sign-in's loopback port: any
// local process can connect to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "oauth_callback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view head(reinterpret_cast<const char*>(data), size);
  auto r = tokex::ParseCallbackRequest(head);
  if (r.ok() && (r->path.empty() || r->path[0] != '/')) abort();
  if (!r.ok() && r.error().message.find('\n') != std::string_view::npos) abort();
  (void)tokex::ParseQuery(head);
  return 0;
}
