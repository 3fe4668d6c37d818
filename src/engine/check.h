// tokex check, the doctor: one profile's steps (config, store, each
// secret, DNS, connection, TLS, clock, one exchange), each one line that
// says ok, warn, fail or skip and, when not ok, what to do.
#ifndef TOKEX_CHECK_H_
#define TOKEX_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "obtain.h"
#include "result.h"

namespace tokex {

/// A step's verdict. A warning never fails the check; a skipped step was
/// not run, because an earlier one failed or running it would spend
/// something (a rotating refresh token).
enum class CheckLevel { kOk, kWarn, kFail, kSkip };

/// One line of tokex check: "PROFILE: LEVEL STEP: TEXT".
struct CheckLine {
  CheckLevel level = CheckLevel::kOk;
  std::string step;  ///< config, store (and what it tells: etcd, ...), secret NAME, dns, connect, tls, clock or exchange
  std::string text;  ///< what was found; for warn and fail, ending in what to do
};

/// A clock further off the server's than this is a warning.
inline constexpr int64_t kClockWarnSeconds = 30;
/// Further than this fails a profile that signs time-stamped assertions
/// (see SignsAssertions): servers refuse an iat or exp so far off.
inline constexpr int64_t kClockFailSeconds = 300;
/// A server certificate that expires sooner than this is a warning.
inline constexpr int64_t kCertificateWarnSeconds = 14 * 86400;

/// What tokex check was asked to do.
struct CheckOptions {
  /// --exchange: make the exchange even when it spends a refresh token
  /// that rotates (it is handled as every exchange: the new one stored).
  bool exchange_rotating = false;
};

/// The lines of one profile and the error of its first failing step, if
/// any (its kind gives the exit code).
struct CheckReport {
  std::vector<CheckLine> lines;
  std::optional<Error> failure;
};

/// Runs every step for `profile` (usable or not: an unusable one fails its
/// config step), within one deadline of the profile's timeout. The network
/// steps come from one request to the token URL (HttpClient::Inspect, a
/// GET: it carries no secret); the exchange goes through ObtainCredential
/// with the cache bypassed for reading (ObtainOptions::force), so a token
/// it gets is cached. Never puts a secret or token in a line.
CheckReport CheckProfile(const Profile& profile, const CheckOptions& options, EngineDeps& deps);

/// "PROFILE: LEVEL STEP: TEXT\n", the level padded to one width ("ok",
/// "warn", "fail", "skip"), made safe for one terminal line.
std::string FormatCheckLine(std::string_view profile, const CheckLine& line);

/// True when the profile's exchange signs an assertion stamped with the
/// local time (cylance's iat; a JWT client assertion or jwt-bearer grant
/// with a private-key), which a server refuses when the clock is off.
bool SignsAssertions(std::span<const PresetExchange> exchanges, const Profile& profile);

}  // namespace tokex

#endif  // TOKEX_CHECK_H_
