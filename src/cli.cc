#include "cli.h"

#include <array>

#include "text.h"

namespace tokex {

namespace {

constexpr std::array kCommands = {
    CommandInfo{"token", "PROFILE", "print the bare access token", CommandId::kToken, 1, 1},
    CommandInfo{"header", "PROFILE", "print the HTTP header line(s) to send", CommandId::kHeader, 1, 1},
    CommandInfo{"curl", "PROFILE", "print a curl config: curl -K <(tokex curl P) URL", CommandId::kCurl, 1, 1},
    CommandInfo{"json", "PROFILE", "print token, type, expiry, scope and headers as JSON", CommandId::kJson, 1, 1},
    CommandInfo{"secret", "set|rm PROFILE NAME", "store (value read from stdin) or remove a secret",
                CommandId::kSecret, 3, 3},
    CommandInfo{"status", "[PROFILE]", "show cached tokens and secret store health", CommandId::kStatus, 0, 1},
    CommandInfo{"forget", "[PROFILE]", "drop cached tokens", CommandId::kForget, 0, 1},
    CommandInfo{"help", "", "show this help", CommandId::kHelp, 0, 1},
    CommandInfo{"version", "", "show the version", CommandId::kVersion, 0, 0},
};

Error Usage(std::string msg) {
  return MakeError(ErrorKind::kUsage, std::move(msg) + ": see 'tokex help'");
}

}  // namespace

std::span<const CommandInfo> Commands() { return kCommands; }

OutputFormat FormatOf(CommandId id) {
  switch (id) {
    case CommandId::kHeader: return OutputFormat::kHeader;
    case CommandId::kCurl: return OutputFormat::kCurl;
    case CommandId::kJson: return OutputFormat::kJson;
    default: return OutputFormat::kToken;
  }
}

bool PrintsCredential(CommandId id) {
  return id == CommandId::kToken || id == CommandId::kHeader || id == CommandId::kCurl ||
         id == CommandId::kJson;
}

Result<Invocation> ParseCommandLine(std::span<const std::string> argv) {
  Invocation inv;
  std::vector<std::string> words;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value = [&](std::string_view flag) -> Result<std::string> {
      if (a.size() > flag.size() && a[flag.size()] == '=') return a.substr(flag.size() + 1);
      if (i + 1 >= argv.size()) return Usage(std::string(flag) + " needs a value");
      return argv[++i];
    };
    auto is = [&](std::string_view flag) {
      return a == flag || (a.starts_with(flag) && a.size() > flag.size() && a[flag.size()] == '=');
    };
    if (a == "--") {
      words.insert(words.end(), argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
      break;
    }
    if (is("--config")) {
      Result<std::string> v = value("--config");
      if (!v) return v.error();
      inv.config_path = *v;
    } else if (is("--min-ttl")) {
      Result<std::string> v = value("--min-ttl");
      if (!v) return v.error();
      std::optional<int64_t> n = ParseInt(*v, 0, 86400);
      if (!n) return Usage("--min-ttl takes whole seconds from 0 to 86400");
      inv.min_ttl = *n;
    } else if (a == "--no-cache") {
      inv.no_cache = true;
    } else if (a == "-v" || a == "--verbose") {
      ++inv.verbose;
    } else if (a == "-h" || a == "--help") {
      words.insert(words.begin(), "help");
    } else if (a == "--version") {
      words.insert(words.begin(), "version");
    } else if (a.size() > 1 && a[0] == '-') {
      return Usage("unknown option '" + Printable(a, 40) + "'");
    } else {
      words.push_back(a);
    }
  }
  if (words.empty()) words.emplace_back("help");
  std::vector<std::string_view> names;
  for (const CommandInfo& c : kCommands) {
    names.push_back(c.name);
    if (c.name == words[0]) inv.command = &c;
  }
  if (inv.command == nullptr) {
    std::string msg = "unknown command '" + Printable(words[0], 40) + "'";
    if (std::string_view s = Suggest(words[0], names); !s.empty())
      return MakeError(ErrorKind::kUsage, msg + ": did you mean 'tokex " + std::string(s) + "'?");
    return Usage(msg);
  }
  inv.args.assign(words.begin() + 1, words.end());
  int n = static_cast<int>(inv.args.size());
  if (n < inv.command->min_args || n > inv.command->max_args)
    return Usage("usage: tokex " + std::string(inv.command->name) + " " + std::string(inv.command->args));
  if (inv.command->id == CommandId::kSecret && inv.args[0] != "set" && inv.args[0] != "rm")
    return Usage("'tokex secret " + Printable(inv.args[0], 20) + "': use 'secret set' or 'secret rm'");
  return inv;
}

std::string UsageText() {
  std::string out = "usage: tokex [--config FILE] [--no-cache] [--min-ttl SECONDS] [-v] COMMAND ...\n\n";
  out += "Turns long-lived secrets in the keyring into short-lived API credentials.\n\n";
  out += "commands:\n";
  for (const CommandInfo& c : kCommands) {
    std::string head = "  " + std::string(c.name) + " " + std::string(c.args);
    head.resize(std::max<size_t>(head.size() + 1, 30), ' ');
    out += head + std::string(c.summary) + "\n";
  }
  out += "\nexit codes: 0 ok, 1 internal, 2 usage or config, 3 secret missing or store unavailable,\n";
  out += "4 rejected by the server, 5 network or server failure. See tokex(1) and tokex.conf(5).\n";
  return out;
}

}  // namespace tokex
