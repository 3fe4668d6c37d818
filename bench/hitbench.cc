// Runs several commands interleaved, N rounds of one run each, and prints
// for each the median wall time, its quartiles and the peak RSS. Running
// them in turn in one process, each round starting at the next command,
// keeps machine noise (frequency, other load) from favouring any of them.
//
//   hitbench N -- [<FILE] [!PATH] CMD... [-- [<FILE] [!PATH] CMD...]...
//
// `<FILE` gives a command FILE as stdin (else /dev/null); `!PATH` removes
// PATH before each run of it, untimed (a cache file, for a miss). stdout
// goes to /dev/null, stderr is left as it is. One line per command, in the
// order given, tab-separated:
//
//   INDEX  MEDIAN_US  Q1_US  Q3_US  MEDIAN_MAXRSS_KIB  MAX_MAXRSS_KIB
//
// Exit status 1 when a run fails (naming the command), 2 on bad usage.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Command {
  std::vector<char*> argv;  // null-terminated
  const char* stdin_path = "/dev/null";
  const char* remove_path = nullptr;
  std::vector<double> seconds;
  std::vector<long> maxrss_kib;
};

bool RunOnce(Command& c) {
  if (c.remove_path != nullptr && unlink(c.remove_path) != 0 && errno != ENOENT) return false;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, c.stdin_path, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  timespec a{}, b{};
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t pid;
  int spawned = posix_spawn(&pid, c.argv[0], &fa, nullptr, c.argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (spawned != 0) return false;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid) return false;
  clock_gettime(CLOCK_MONOTONIC, &b);
  c.seconds.push_back(double(b.tv_sec - a.tv_sec) + double(b.tv_nsec - a.tv_nsec) / 1e9);
  c.maxrss_kib.push_back(ru.ru_maxrss);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The value at fraction q of the sorted samples (nearest rank).
template <typename T>
T Quantile(std::vector<T> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * double(v.size() - 1) + 0.5)];
}

// Parses the groups after N; false on a malformed command line.
bool ParseCommands(int argc, char** argv, std::vector<Command>* out) {
  int i = 2;
  while (i < argc) {
    if (strcmp(argv[i], "--") != 0) return false;
    Command c;
    for (++i; i < argc && strcmp(argv[i], "--") != 0; ++i) {
      if (c.argv.empty() && argv[i][0] == '<') {
        c.stdin_path = argv[i] + 1;
      } else if (c.argv.empty() && argv[i][0] == '!') {
        c.remove_path = argv[i] + 1;
      } else {
        c.argv.push_back(argv[i]);
      }
    }
    if (c.argv.empty()) return false;
    c.argv.push_back(nullptr);
    out->push_back(std::move(c));
  }
  return !out->empty();
}

}  // namespace

int main(int argc, char** argv) {
  int n = 0;
  std::vector<Command> cmds;
  if (argc < 4 || std::from_chars(argv[1], argv[1] + strlen(argv[1]), n).ec != std::errc() || n < 1 ||
      !ParseCommands(argc, argv, &cmds)) {
    fputs("usage: hitbench N -- [<FILE] [!PATH] CMD... [-- [<FILE] [!PATH] CMD...]...\n", stderr);
    return 2;
  }
  const size_t m = cmds.size();
  for (int k = 0; k < n; ++k) {
    for (size_t j = 0; j < m; ++j) {
      Command& c = cmds[(static_cast<size_t>(k) + j) % m];
      if (!RunOnce(c)) {
        fprintf(stderr, "hitbench: %s failed\n", c.argv[0]);
        return 1;
      }
    }
  }
  for (size_t j = 0; j < m; ++j) {
    const Command& c = cmds[j];
    printf("%zu\t%.1f\t%.1f\t%.1f\t%ld\t%ld\n", j, Quantile(c.seconds, 0.5) * 1e6, Quantile(c.seconds, 0.25) * 1e6,
           Quantile(c.seconds, 0.75) * 1e6, Quantile(c.maxrss_kib, 0.5),
           *std::max_element(c.maxrss_kib.begin(), c.maxrss_kib.end()));
  }
  return 0;
}
