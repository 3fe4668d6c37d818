// Fuzzes the cache record parser: whatever it accepts must format without
// control characters reaching an output.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cache.h"
#include "output.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto record = tokex::ParseCacheRecord(std::string(reinterpret_cast<const char*>(data), size));
  if (!record.ok()) return 0;
  for (auto f : {tokex::OutputFormat::kToken, tokex::OutputFormat::kHeader, tokex::OutputFormat::kCurl,
                 tokex::OutputFormat::kJson}) {
    auto out = tokex::FormatCredential(f, record->credential);
    if (!out.ok()) abort();  // a parsed record is always printable
    size_t newlines = 0;
    for (char c : *out) newlines += c == '\n';
    size_t expected = f == tokex::OutputFormat::kToken || f == tokex::OutputFormat::kJson
                          ? 1
                          : record->credential.headers.size() + (record->credential.cookies.empty() ? 0 : 1);
    if (newlines != expected) abort();  // no header injection through a value
  }
  return 0;
}
