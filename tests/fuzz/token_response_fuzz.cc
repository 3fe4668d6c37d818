// Fuzzes what tokex reads of a server's answer: the token response parser
// with arbitrary bodies and statuses, a JWT's exp, and an HTTP date
// (Retry-After, and the Date that tokex check compares with the clock).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http.h"
#include "jwt.h"
#include "token_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  tokex::HttpResponse r;
  static constexpr long kStatuses[] = {200, 201, 302, 400, 401, 403, 404, 429, 500, 503};
  r.status = kStatuses[data[0] % 10];
  r.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  auto c = tokex::ParseTokenAnswer(r, 1'700'000'000, {"fuzz.example", "fix"});
  if (c.ok() && !tokex::ValidateCredential(c->credential).ok()) abort();
  if (c.ok() && c->refresh_token && tokex::HasControlChars(c->refresh_token->view())) abort();
  if (!c.ok() && c.error().message.find('\n') != std::string::npos) abort();  // one-line errors
  (void)tokex::JwtExpiry(r.body);
  (void)tokex::ParseHttpDate(r.body);
  return 0;
}
