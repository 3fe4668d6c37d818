#include "complete.h"

#include <algorithm>
#include <optional>

#include "deadline.h"
#include "front.h"

namespace tokex {

namespace {

using Slot = CompletionPoint::Slot;

// A config that is a pipe or FIFO may keep a TAB waiting this long, at
// most; a regular file is read at once.
constexpr double kConfigWait = 0.5;

constexpr std::string_view kConfigOption = "--config";

// The placeholders of a row's `args`, one per positional argument:
// "set|rm PROFILE NAME" gives set|rm, PROFILE, NAME; "[--device] PROFILE"
// gives PROFILE; "PROFILE -- CMD..." gives PROFILE, CMD...;
// "[--rotating|PROFILE...]" gives PROFILE... (a flag's alternative is no
// positional argument).
std::vector<std::string_view> Placeholders(std::string_view usage) {
  std::vector<std::string_view> out;
  while (!usage.empty()) {
    size_t end = std::min(usage.find(' '), usage.size());
    std::string_view token = usage.substr(0, end);
    usage.remove_prefix(std::min(end + 1, usage.size()));
    while (token.starts_with('[')) token.remove_prefix(1);
    while (token.ends_with(']')) token.remove_suffix(1);
    if (token.starts_with('-') && token.find('|') != std::string_view::npos) token.remove_prefix(token.find('|') + 1);
    if (!token.empty() && !token.starts_with('-')) out.push_back(token);
  }
  return out;
}

// What argument `i` of `c` is. `dashes`: "--" came before it.
Slot ArgumentSlot(const CommandInfo& c, size_t i, bool dashes) {
  if (i >= static_cast<size_t>(c.max_args)) return Slot::kNothing;
  if (i == 0 && !c.actions.empty()) return Slot::kAction;
  if (static_cast<int>(i) == c.profile_arg) return Slot::kProfile;
  std::vector<std::string_view> ph = Placeholders(c.args);
  if (i < ph.size() && ph[i] == "NAME" && c.profile_arg >= 0 && static_cast<int>(i) == c.profile_arg + 1)
    return Slot::kSecretName;
  if (!ph.empty() && ph.back() == "PROFILE..." && i + 1 >= ph.size()) return Slot::kProfile;
  bool first_cmd = i < ph.size() && ph[i] == "CMD...";
  bool more_cmd = i >= ph.size() && !ph.empty() && ph.back() == "CMD...";
  if (!first_cmd && !more_cmd) return Slot::kNothing;
  if (dashes) return Slot::kProgram;
  return first_cmd ? Slot::kDashes : Slot::kNothing;
}

const GlobalOption* FindOption(std::string_view word) {
  for (const GlobalOption& o : GlobalOptions()) {
    if (o.name == word) return &o;
  }
  return nullptr;
}

const CommandInfo* FindCommand(std::span<const CommandInfo> commands, std::string_view name) {
  for (const CommandInfo& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The config the completed line would read, or nullopt when it cannot be
// read or parsed.
std::optional<Config> ReadConfigQuietly(const Environment& env, std::string_view config_flag) {
  Paths paths = ResolvePaths(env, config_flag);
  Result<std::string> text = ReadConfigFile(paths.config, env.uid, Deadline::In(kConfigWait));
  if (!text) return std::nullopt;
  Result<Config> config = ParseConfig(*text, paths.config, env);
  if (!config) return std::nullopt;
  return std::move(config.value());
}

}  // namespace

CompletionPoint LocateCompletion(std::span<const std::string> line, std::span<const CommandInfo> commands) {
  CompletionPoint p;
  if (!line.empty()) p.word = line.back();
  bool dashes = false;
  const GlobalOption* wants_value = nullptr;
  std::vector<size_t> positional;  // where the command and its arguments are in `line`
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const std::string& w = line[i];
    if (wants_value != nullptr) {
      if (wants_value->name == kConfigOption) p.config_flag = w;
      wants_value = nullptr;
    } else if (dashes || w == "-" || !w.starts_with('-')) {
      positional.push_back(i);
    } else if (w == "--") {
      dashes = true;
    } else if (w.starts_with("--config=")) {
      p.config_flag = w.substr(kConfigOption.size() + 1);
    } else if (const GlobalOption* o = FindOption(w); o != nullptr && o->takes_value) {
      wants_value = o;
    }
  }
  if (wants_value != nullptr || (!dashes && p.word.starts_with("--config="))) {
    p.slot = wants_value == nullptr || wants_value->name == kConfigOption ? Slot::kFile : Slot::kNothing;
    return p;
  }
  p.options = !dashes && p.word.starts_with('-');
  if (positional.empty()) {
    p.slot = Slot::kCommand;
    return p;
  }
  p.command = FindCommand(commands, line[positional[0]]);
  if (p.command == nullptr) return p;
  const CommandInfo& c = *p.command;
  size_t arg = positional.size() - 1;  // the word's index among the command's arguments
  p.slot = ArgumentSlot(c, arg, dashes);
  if (p.slot == Slot::kSecretName) p.profile = line[positional[1 + static_cast<size_t>(c.profile_arg)]];
  if (p.slot == Slot::kProgram) {
    // CMD is the first argument whose slot is a program; the word typed
    // (at line.size() - 1) when none before it is.
    p.program_at = line.size() - 1;
    for (size_t k = 0; k < arg; ++k) {
      if (ArgumentSlot(c, k, true) == Slot::kProgram) {
        p.program_at = positional[1 + k];
        break;
      }
    }
  }
  return p;
}

std::vector<std::string> CompletionWords(const CompletionPoint& point, std::span<const CommandInfo> commands,
                                         const Config* config) {
  std::vector<std::string> out;
  auto add = [&](std::string_view w) {
    if (w.starts_with(point.word) && std::find(out.begin(), out.end(), w) == out.end()) out.emplace_back(w);
  };
  switch (point.slot) {
    case Slot::kCommand:
      for (const CommandInfo& c : commands) {
        if (!c.hidden) add(c.name);
      }
      break;
    case Slot::kAction:
      for (std::string_view a : point.command->actions) add(a);
      break;
    case Slot::kDashes:
      add("--");
      break;
    case Slot::kProfile:
      if (config == nullptr) break;
      for (const Profile& p : config->profiles) add(p.name);
      break;
    case Slot::kSecretName:
      if (config == nullptr) break;
      for (const Profile& p : config->profiles) {
        if (p.name != point.profile || p.preset == nullptr) continue;
        for (std::string_view s : p.preset->secret_names) add(s);
      }
      break;
    case Slot::kNothing:
    case Slot::kFile:
    case Slot::kProgram:
      break;
  }
  if (point.options && point.slot != Slot::kFile && point.slot != Slot::kProgram) {
    if (point.command != nullptr) {
      for (std::string_view f : point.command->flags) add(f);
    }
    for (const GlobalOption& o : GlobalOptions()) add(o.name);
  }
  return out;
}

std::string FormatCompletion(const CompletionPoint& point, std::span<const std::string> words) {
  if (point.slot == Slot::kFile) return "files\n";
  if (point.slot == Slot::kProgram) return "command " + std::to_string(point.program_at) + "\n";
  if (words.empty()) return "";
  std::string out = "words\n";
  for (const std::string& w : words) out += w + "\n";
  return out;
}

Result<FrontStep> CompleteCommand(const CommandContext& ctx) {
  std::span<const CommandInfo> commands = TokexCommands();
  CompletionPoint point = LocateCompletion(ctx.inv.args, commands);
  std::optional<Config> config;
  if (point.slot == Slot::kProfile || point.slot == Slot::kSecretName)
    config = ReadConfigQuietly(ctx.env, point.config_flag.empty() ? ctx.inv.config_path : point.config_flag);
  std::vector<std::string> words = CompletionWords(point, commands, config ? &*config : nullptr);
  // A shell that stopped reading wants nothing more, not an error.
  (void)WriteText(ctx.io.out, FormatCompletion(point, words));
  return FrontStep::kDone;
}

}  // namespace tokex
