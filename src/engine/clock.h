// Time, as an interface so tests can pin it.
#ifndef TOKEX_CLOCK_H_
#define TOKEX_CLOCK_H_

#include <cstdint>

#include "http.h"

namespace tokex {

/// The current time and a way to wait.
class Clock : public Sleeper {
 public:
  /// Seconds since the Unix epoch.
  virtual int64_t Now() = 0;
};

/// The real clock.
class SystemClock : public Clock {
 public:
  int64_t Now() override;
  void SleepSeconds(double seconds) override;
};

}  // namespace tokex

#endif  // TOKEX_CLOCK_H_
