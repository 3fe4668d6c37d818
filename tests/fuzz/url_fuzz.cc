// Fuzzes the URL parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto url = tokex::ParseUrl(std::string_view(reinterpret_cast<const char*>(data), size));
  if (url.ok() && (url->host.empty() || url->path.empty() || url->path[0] != '/')) abort();
  return 0;
}
