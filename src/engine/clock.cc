#include "clock.h"

#include <ctime>

#include "deadline.h"

namespace tokex {

int64_t SystemClock::Now() { return static_cast<int64_t>(time(nullptr)); }

int64_t SystemClock::NowMs() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

double SystemClock::Monotonic() { return MonotonicSeconds(); }

void SystemClock::SleepSeconds(double seconds) { SleepUntil(seconds, Deadline::In(seconds)); }

}  // namespace tokex
