// Time, as an interface so tests can pin it.
#ifndef TOKEX_CLOCK_H_
#define TOKEX_CLOCK_H_

#include <cstdint>

namespace tokex {

/// The current time, a clock for deadlines, and a way to wait.
class Clock {
 public:
  virtual ~Clock() = default;

  /// Seconds since the Unix epoch.
  virtual int64_t Now() = 0;

  /// Milliseconds since the Unix epoch: for ordering events of different
  /// processes (an exchange that failed, a caller that waited on it).
  virtual int64_t NowMs() = 0;

  /// Seconds on the clock deadlines use (see deadline.h).
  virtual double Monotonic() = 0;

  /// Waits `seconds`.
  virtual void SleepSeconds(double seconds) = 0;
};

/// The real clock.
class SystemClock : public Clock {
 public:
  int64_t Now() override;
  int64_t NowMs() override;
  double Monotonic() override;
  void SleepSeconds(double seconds) override;
};

}  // namespace tokex

#endif  // TOKEX_CLOCK_H_
