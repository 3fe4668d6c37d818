#include "terminal.h"

#include <unistd.h>

#include <cerrno>

namespace tokex {

namespace {

// What the signal handlers need to leave the terminal as it was found.
// Handlers reach only static storage, so this is the one mutable global
// the project allows; it is set only while a QuietTerminal lives, with the
// signals blocked.
struct PromptState {
  int fd = -1;      // the terminal
  int err_fd = -1;  // where the prompt is shown
  struct termios saved {};
  struct termios quiet {};
  const char* prompt = nullptr;
  size_t prompt_len = 0;
};
PromptState active_prompt;

sigset_t PromptSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kPromptSignals) sigaddset(&set, sig);
  return set;
}

// Async-signal-safe: a handler's best effort, so failures are ignored.
void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Delivers `sig` again with its default action, which ends or stops the
// process as if it had never been caught. Called from its handler, where
// `sig` is blocked until the unblock below.
void RaiseDefault(int sig) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, nullptr);
  raise(sig);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  sigprocmask(SIG_UNBLOCK, &only, nullptr);
}

void OnPromptSignal(int sig);

void HandleAtPrompt(int sig) {
  struct sigaction act {};
  act.sa_handler = OnPromptSignal;
  act.sa_mask = PromptSignalSet();  // one handler at a time
  act.sa_flags = SA_RESTART;        // a stop must not cut the prompt short
  sigaction(sig, &act, nullptr);
}

// Any prompt signal gives the terminal back as it was found, then acts as
// if it had not been caught. After a stop (Ctrl-Z, then fg) echo goes off
// again, with TCSANOW so that what was typed before the stop is kept, and
// the prompt shows again, since a shell has been on the screen meanwhile.
void OnPromptSignal(int sig) {
  int saved_errno = errno;
  const PromptState& s = active_prompt;
  tcsetattr(s.fd, TCSANOW, &s.saved);
  WriteAll(s.err_fd, "\n", 1);
  RaiseDefault(sig);
  if (sig != SIGTSTP) _exit(128 + sig);  // not reached: the default action ends the process
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, SIGTSTP);
  sigprocmask(SIG_BLOCK, &only, nullptr);
  HandleAtPrompt(SIGTSTP);
  tcsetattr(s.fd, TCSANOW, &s.quiet);
  WriteAll(s.err_fd, s.prompt, s.prompt_len);
  errno = saved_errno;
}

}  // namespace

QuietTerminal::QuietTerminal(int fd, int err_fd, const struct termios& saved, const std::string& prompt) {
  sigset_t set = PromptSignalSet(), mask;
  sigprocmask(SIG_BLOCK, &set, &mask);
  active_prompt = {fd, err_fd, saved, saved, prompt.data(), prompt.size()};
  active_prompt.quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  for (size_t i = 0; i < std::size(kPromptSignals); ++i) {
    sigaction(kPromptSignals[i], nullptr, &old_[i]);
    // Ignored when the prompt started (nohup, a background job): stays so.
    if (old_[i].sa_handler != SIG_IGN) HandleAtPrompt(kPromptSignals[i]);
  }
  // TCSAFLUSH: what was typed before the prompt is not the answer to it.
  tcsetattr(fd, TCSAFLUSH, &active_prompt.quiet);
  sigprocmask(SIG_SETMASK, &mask, nullptr);
}

QuietTerminal::~QuietTerminal() {
  sigset_t set = PromptSignalSet(), mask;
  sigprocmask(SIG_BLOCK, &set, &mask);
  tcsetattr(active_prompt.fd, TCSANOW, &active_prompt.saved);
  for (size_t i = 0; i < std::size(kPromptSignals); ++i) sigaction(kPromptSignals[i], &old_[i], nullptr);
  active_prompt = {};
  sigprocmask(SIG_SETMASK, &mask, nullptr);  // what arrived meanwhile acts as it always would
}

}  // namespace tokex
