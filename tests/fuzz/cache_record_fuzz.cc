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
                 tokex::OutputFormat::kJson, tokex::OutputFormat::kCookies}) {
    const tokex::Credential& c = record->credential;
    auto out = tokex::FormatCredential(f, c);
    if (f == tokex::OutputFormat::kCookies && c.cookies.empty()) {
      if (out.ok()) abort();  // a jar needs cookies
      continue;
    }
    if (!out.ok()) abort();  // a parsed record is always printable
    size_t newlines = 0;
    for (char ch : *out) newlines += ch == '\n';
    size_t expected = f == tokex::OutputFormat::kToken || f == tokex::OutputFormat::kJson ? 1
                      : f == tokex::OutputFormat::kCookies                                 ? 3 + c.cookies.size()
                                                                                           : c.headers.size() + (c.cookies.empty() ? 0 : 1);
    if (newlines != expected) abort();  // no header or cookie injection through a value
  }
  return 0;
}
