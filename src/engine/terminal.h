// A terminal prompt that reads without echo and gives the terminal back
// as it found it on every way out, signals included.
#ifndef TOKEX_TERMINAL_H_
#define TOKEX_TERMINAL_H_

#include <signal.h>
#include <termios.h>

#include <iterator>
#include <string>

namespace tokex {

/// The signals that end or stop a program at a prompt: SIGHUP, SIGINT,
/// SIGQUIT, SIGTERM, SIGTSTP.
inline constexpr int kPromptSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};

/// Echo off on the terminal `fd` for the life of the object, also across
/// the prompt signals: one that ends the process first puts the terminal
/// back as it was (`saved`) and then ends it as if it had not been caught;
/// a stop (Ctrl-Z) puts it back, stops, and on `fg` turns echo off again
/// and shows `prompt` again on `err_fd`. A signal ignored when the object
/// is made stays ignored. The destructor restores the terminal and the
/// signal dispositions it changed. At most one may live at a time: signal
/// handlers reach it through static storage.
class QuietTerminal {
 public:
  QuietTerminal(int fd, int err_fd, const struct termios& saved, const std::string& prompt);
  ~QuietTerminal();
  QuietTerminal(const QuietTerminal&) = delete;
  QuietTerminal& operator=(const QuietTerminal&) = delete;

 private:
  struct sigaction old_[std::size(kPromptSignals)];
};

}  // namespace tokex

#endif  // TOKEX_TERMINAL_H_
