// Fuzzes the INI parser and the config validation above it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tokex::Environment env;
  env.vars["HOME"] = "/home/fuzz";
  auto config = tokex::ParseConfig(text, "fuzz", env);
  if (config.ok()) {
    for (const tokex::Profile& p : config->profiles) (void)p.CacheKey();
  }
  return 0;
}
