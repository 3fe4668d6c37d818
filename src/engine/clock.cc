#include "clock.h"

#include <cerrno>
#include <ctime>

namespace tokex {

int64_t SystemClock::Now() { return static_cast<int64_t>(time(nullptr)); }

void SystemClock::SleepSeconds(double seconds) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

}  // namespace tokex
