// Time limits: every wait tokex makes is bounded by the command's deadline.
#ifndef TOKEX_DEADLINE_H_
#define TOKEX_DEADLINE_H_

#include <algorithm>

namespace tokex {

/// Seconds on CLOCK_MONOTONIC: system-wide, so comparable between a front
/// and the engine it hands over to, and immune to changes of the date.
double MonotonicSeconds();

/// The moment, in CLOCK_MONOTONIC seconds, by which a command must be done.
/// A profile's `timeout` sets it: connects, attempts, backoff, Retry-After
/// and waiting for the profile lock all fit before it.
struct Deadline {
  double at = 0;

  /// `seconds` from now.
  static Deadline In(double seconds) { return Deadline{MonotonicSeconds() + seconds}; }

  /// Seconds left at `now` (MonotonicSeconds, or a fake clock's), never
  /// negative.
  double Remaining(double now) const { return std::max(0.0, at - now); }
  double Remaining() const { return Remaining(MonotonicSeconds()); }
};

/// Sleeps for `seconds`, or until `deadline` if that comes first. A signal
/// that interrupts the sleep does not shorten it.
void SleepUntil(double seconds, const Deadline& deadline);

}  // namespace tokex

#endif  // TOKEX_DEADLINE_H_
