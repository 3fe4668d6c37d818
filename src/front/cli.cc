#include "cli.h"

#include <algorithm>
#include <array>

#include "text.h"

namespace tokex {

namespace {

Error Usage(std::string msg) {
  return MakeError(ErrorKind::kUsage, std::move(msg) + ": see 'tokex help'");
}

// Sorts argv into flags (stored in `inv`) and words (the command and its
// arguments). Everything after "--" is a word.
class FlagParser {
 public:
  FlagParser(std::span<const std::string> argv, Invocation* inv) : argv_(argv), inv_(inv) {}

  Result<std::vector<std::string>> Words() {
    std::vector<std::string> words;
    for (i_ = 0; i_ < argv_.size(); ++i_) {
      const std::string& a = argv_[i_];
      if (a == "--") {
        words.insert(words.end(), argv_.begin() + static_cast<std::ptrdiff_t>(i_) + 1, argv_.end());
        break;
      }
      if (Is(a, "--config")) {
        Result<std::string> v = Value(a, "--config");
        if (!v) return v.error();
        inv_->config_path = *v;
      } else if (Is(a, "--min-ttl")) {
        Result<std::string> v = Value(a, "--min-ttl");
        if (!v) return v.error();
        std::optional<int64_t> n = ParseInt(*v, 0, 86400);
        if (!n) return Usage("--min-ttl takes whole seconds from 0 to 86400");
        inv_->min_ttl = *n;
      } else if (a == "--no-cache") {
        inv_->no_cache = true;
      } else if (a == "-v" || a == "--verbose") {
        ++inv_->verbose;
      } else if (a == "-h" || a == "--help") {
        words.insert(words.begin(), "help");
      } else if (a == "--version") {
        words.insert(words.begin(), "version");
      } else if (a.starts_with("--") && a.size() > 2) {
        inv_->flags.push_back(a);  // a command's own flag, checked once the command is known
      } else if (a.size() > 1 && a[0] == '-') {
        return Usage("unknown option '" + Printable(a, 40) + "'");
      } else {
        words.push_back(a);
      }
    }
    return words;
  }

 private:
  // "--flag" or "--flag=value".
  static bool Is(std::string_view a, std::string_view flag) {
    return a == flag || (a.starts_with(flag) && a.size() > flag.size() && a[flag.size()] == '=');
  }

  // The value of "--flag=value", or of "--flag value" (consuming it).
  Result<std::string> Value(const std::string& a, std::string_view flag) {
    if (a.size() > flag.size()) return a.substr(flag.size() + 1);
    if (i_ + 1 >= argv_.size()) return Usage(std::string(flag) + " needs a value");
    return argv_[++i_];
  }

  std::span<const std::string> argv_;
  Invocation* inv_;
  size_t i_ = 0;
};

// What FlagParser reads, for completion: keep the two in step.
constexpr std::array kGlobalOptions = {
    GlobalOption{"--config", true}, GlobalOption{"--min-ttl", true}, GlobalOption{"--no-cache"},
    GlobalOption{"-v"}, GlobalOption{"--verbose"}, GlobalOption{"-h"}, GlobalOption{"--help"},
    GlobalOption{"--version"},
};

Status CheckFlags(const CommandInfo& c, std::span<const std::string> flags) {
  for (const std::string& f : flags) {
    if (std::find(c.flags.begin(), c.flags.end(), f) == c.flags.end())
      return Usage("unknown option '" + Printable(f, 40) + "'" +
                   (c.flags.empty() ? "" : " for tokex " + std::string(c.name) + ": use " + JoinOr(c.flags)));
  }
  return Success();
}

Status CheckArguments(const CommandInfo& c, std::span<const std::string> args) {
  int n = static_cast<int>(args.size());
  if (n < c.min_args || n > c.max_args)
    return Usage("usage: tokex " + std::string(c.name) + " " + std::string(c.args));
  if (c.actions.empty() || std::find(c.actions.begin(), c.actions.end(), args[0]) != c.actions.end())
    return Success();
  return Usage("'tokex " + std::string(c.name) + " " + Printable(args[0], 20) + "': use " + JoinOr(c.actions));
}

}  // namespace

std::span<const GlobalOption> GlobalOptions() { return kGlobalOptions; }

bool Invocation::Has(std::string_view flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

std::string_view Invocation::ProfileArg() const {
  if (command == nullptr || command->profile_arg < 0) return {};
  size_t i = static_cast<size_t>(command->profile_arg);
  return i < args.size() ? std::string_view(args[i]) : std::string_view();
}

Result<Invocation> ParseCommandLine(std::span<const std::string> argv, std::span<const CommandInfo> commands) {
  Invocation inv;
  Result<std::vector<std::string>> words = FlagParser(argv, &inv).Words();
  if (!words) return words.error();
  if (words->empty()) words->emplace_back("help");
  const std::string& name = words->front();
  std::vector<std::string_view> names;
  for (const CommandInfo& c : commands) {
    if (!c.hidden) names.push_back(c.name);
    if (c.name == name) inv.command = &c;
  }
  if (inv.command == nullptr) {
    std::string msg = "unknown command '" + Printable(name, 40) + "'";
    std::string hint = DidYouMean(name, names, "tokex ");
    return hint.empty() ? Usage(msg) : MakeError(ErrorKind::kUsage, msg + hint);
  }
  inv.args.assign(words->begin() + 1, words->end());
  if (Status s = CheckFlags(*inv.command, inv.flags); !s) return s.error();
  if (Status s = CheckArguments(*inv.command, inv.args); !s) return s.error();
  return inv;
}

std::string UsageText(std::span<const CommandInfo> commands) {
  std::string out = "usage: tokex [--config FILE] [--no-cache] [--min-ttl SECONDS] [-v] COMMAND ...\n\n";
  out += "Turns long-lived secrets in the keyring into short-lived API credentials.\n\n";
  out += "commands:\n";
  // The summaries line up after the longest "  name args".
  auto head = [](const CommandInfo& c) { return "  " + std::string(c.name) + " " + std::string(c.args); };
  size_t width = 0;
  for (const CommandInfo& c : commands) {
    if (!c.hidden) width = std::max(width, head(c).size() + 1);
  }
  for (const CommandInfo& c : commands) {
    if (c.hidden) continue;
    std::string line = head(c);
    line.resize(width, ' ');
    out += line + std::string(c.summary) + "\n";
  }
  out += "\nexit codes: 0 ok, 1 internal, 2 usage or config, 3 secret missing or store unavailable,\n";
  out += "4 rejected by the server, 5 network or server failure. See tokex(1) and tokex.conf(5).\n";
  return out;
}

}  // namespace tokex
