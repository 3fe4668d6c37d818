// Runs two commands alternately, N times each, and reports the median wall
// time and peak RSS of each and their ratio. Alternating in one run keeps
// machine noise (frequency, other load) from favouring either side.
//
//   hitbench N -- BASELINE... -- CANDIDATE...
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

struct Sample {
  double seconds;
  long maxrss_kib;
};

bool RunOnce(std::vector<char*>& argv, Sample* out) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  timespec a{}, b{};
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid) return false;
  clock_gettime(CLOCK_MONOTONIC, &b);
  posix_spawn_file_actions_destroy(&fa);
  out->seconds = double(b.tv_sec - a.tv_sec) + double(b.tv_nsec - a.tv_nsec) / 1e9;
  out->maxrss_kib = ru.ru_maxrss;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

template <typename T>
T Median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int n = 0;
  if (argc < 6 || std::from_chars(argv[1], argv[1] + strlen(argv[1]), n).ec != std::errc() || n < 1 ||
      strcmp(argv[2], "--") != 0) {
    fputs("usage: hitbench N -- BASELINE... -- CANDIDATE...\n", stderr);
    return 2;
  }
  std::vector<char*> base, cand;
  int i = 3;
  for (; i < argc && strcmp(argv[i], "--") != 0; ++i) base.push_back(argv[i]);
  for (++i; i < argc; ++i) cand.push_back(argv[i]);
  base.push_back(nullptr);
  cand.push_back(nullptr);
  std::vector<double> bt, ct;
  std::vector<long> br, cr;
  for (int k = 0; k < n; ++k) {
    Sample s{};
    if (!RunOnce(base, &s)) return fputs("hitbench: baseline failed\n", stderr), 1;
    bt.push_back(s.seconds);
    br.push_back(s.maxrss_kib);
    if (!RunOnce(cand, &s)) return fputs("hitbench: candidate failed\n", stderr), 1;
    ct.push_back(s.seconds);
    cr.push_back(s.maxrss_kib);
  }
  double b = Median(bt), c = Median(ct);
  long brss = Median(br), crss = Median(cr);
  printf("runs: %d each, alternating\n", n);
  printf("baseline:  median %.1f us, peak RSS %ld KiB\n", b * 1e6, brss);
  printf("candidate: median %.1f us, peak RSS %ld KiB\n", c * 1e6, crss);
  printf("time ratio: %.2f (budget 1.50)\n", c / b);
  printf("RSS difference: %ld KiB (budget 1024)\n", crss - brss);
  return 0;
}
