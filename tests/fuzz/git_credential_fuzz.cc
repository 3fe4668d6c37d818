// Fuzzes git's credential protocol: the request git (or whatever runs the
// helper) writes on stdin, and the answer written from what may be in it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "git_credential.h"
#include "secret.h"

namespace {

bool OneLine(const tokex::Error& e) { return e.message.find('\n') == std::string::npos; }

// An answer must be exactly `lines` key=value lines: a value that broke a
// line would let a token's text pose as another key.
void CheckAnswer(std::string_view username, std::string_view token, bool bearer) {
  auto text = tokex::FormatGitAnswer(
      tokex::GitAnswer{.username = username, .token = token, .expires_at = 1, .bearer = bearer});
  if (!text.ok()) {
    if (!OneLine(text.error())) abort();
    return;
  }
  size_t lines = 0;
  for (char c : *text) lines += c == '\n';
  if (lines != (bearer ? 5u : 3u) || text->find('\0') != std::string::npos || text->find('\r') != std::string::npos)
    abort();
  auto back = tokex::ParseGitRequest(*text);
  if (!back.ok()) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto n = tokex::GitRequestLength(text); n && (*n == 0 || *n > size || text[*n - 1] != '\n')) abort();
  auto r = tokex::ParseGitRequest(text);
  if (!r.ok()) {
    if (!OneLine(r.error()) || r.error().kind != tokex::ErrorKind::kUsage) abort();
  } else {
    for (const std::string* s : {&r->protocol, &r->host, &r->path}) {
      if (tokex::HasControlChars(*s)) abort();
    }
    auto url = tokex::GitRequestUrl(*r);
    if (!url.ok() && !OneLine(url.error())) abort();
    if (url.ok() && *url && ((*url)->path.empty() || (*url)->path[0] != '/' || (*url)->host.empty())) abort();
  }
  size_t half = size / 2;
  CheckAnswer(text.substr(0, half), text.substr(half), size % 2 == 0);
  return 0;
}
