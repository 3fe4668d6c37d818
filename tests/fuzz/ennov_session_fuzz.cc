// Fuzzes the parsers of an Ennov InSight server's session answers: the
// body, and the header lines (one "name: value" per input line).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ennov_insight.h"
#include "secret.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t split = in.find('\0');
  tokex::HttpResponse r;
  r.status = 200;
  r.body = std::string(in.substr(0, split));
  std::string_view head = split == std::string_view::npos ? std::string_view() : in.substr(split + 1);
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos)
      r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  auto start = tokex::ParseSessionStart(r, "fuzz.example");
  if (start.ok() && (start->id.empty() || tokex::HasControlChars(start->csrf_token.view()))) abort();
  auto login = tokex::ParseSessionLogin(r, tokex::InsightSession{}, "fuzz.example");
  if (login.ok() && (login->csrf_token.empty() || tokex::HasControlChars(login->id.view()))) abort();
  return 0;
}
