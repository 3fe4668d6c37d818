#include "random.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>

namespace tokex {

Status SystemRandom::Fill(std::span<unsigned char> out) {
  // RAND_bytes counts in int; go in chunks so any span size is safe.
  while (!out.empty()) {
    size_t n = std::min<size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      ERR_clear_error();
      return MakeError(ErrorKind::kInternal,
                       "OpenSSL could not produce random bytes: check that the kernel's random source is available");
    }
    out = out.subspan(n);
  }
  return Success();
}

Result<std::string> UuidV4(Random& random) {
  std::array<unsigned char, 16> bytes{};
  if (Status s = random.Fill(bytes); !s) return s.error();
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // variant 10xx
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0x0f];
  }
  return text;
}

}  // namespace tokex
