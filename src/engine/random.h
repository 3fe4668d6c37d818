// Randomness, as an interface so tests can pin it (Cylance's jti, PKCE).
#ifndef TOKEX_RANDOM_H_
#define TOKEX_RANDOM_H_

#include <span>
#include <string>

#include "result.h"

namespace tokex {

/// A source of random bytes.
class Random {
 public:
  virtual ~Random() = default;

  /// Fills `out` with random bytes; a kInternal error when the source
  /// fails (then `out` must not be used).
  virtual Status Fill(std::span<unsigned char> out) = 0;
};

/// Cryptographically strong bytes from OpenSSL's RAND_bytes.
class SystemRandom : public Random {
 public:
  Status Fill(std::span<unsigned char> out) override;
};

/// A random (version 4, RFC 9562 section 5.4) UUID in lower-case text form,
/// "xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx" with Y one of 8, 9, a, b.
Result<std::string> UuidV4(Random& random);

}  // namespace tokex

#endif  // TOKEX_RANDOM_H_
