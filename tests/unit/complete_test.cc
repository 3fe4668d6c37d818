// tokex __complete (complete.cc): where the word being typed stands, the
// candidates there, and the whole hidden command run by the front against
// a config file, including the silence it keeps on every error.
#include "complete.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "front.h"
#include "front_home.h"

using tokex::CompletionPoint;
using tokex::LocateCompletion;
using tokex::TokexCommands;
using Slot = tokex::CompletionPoint::Slot;
using Words = std::vector<std::string>;

namespace {

constexpr int64_t kNow = 1'800'000'000;

constexpr const char* kConfig =
    "[profile \"xdr\"]\n  preset = cisco-xdr\n  client-id = c\n"
    "[profile \"xdr-eu\"]\n  preset = cisco-xdr\n  client-id = c\n  region = eu\n"
    "[profile \"az\"]\n  preset = azure-ad\n  tenant = t\n  client-id = c\n"
    "[profile \"broken\"]\n  preset = no-such-preset\n";

CompletionPoint Locate(const Words& line) { return LocateCompletion(line, TokexCommands()); }

// The candidates for `line`, with the config `config` (none when null).
Words Candidates(const Words& line, const tokex::Config* config) {
  return tokex::CompletionWords(Locate(line), TokexCommands(), config);
}

tokex::Config TestConfig() {
  tokex::Environment env;
  auto config = tokex::ParseConfig(kConfig, "config", env);
  REQUIRE(config.ok());
  return *config;
}

struct Run {
  tokex::Result<tokex::FrontStep> step = tokex::FrontStep::kDone;
  std::string out;
  std::string err;
};

// Runs `tokex __complete -- LINE...` (with `before` ahead of __complete) in
// `home`, keeping stdout and stderr.
Run Complete(const tokex::testing::FrontHome& home, const Words& line, const Words& before = {}) {
  Words argv = before;
  argv.insert(argv.end(), {"__complete", "--"});
  argv.insert(argv.end(), line.begin(), line.end());
  FILE* out = tmpfile();
  FILE* err = tmpfile();
  REQUIRE((out != nullptr && err != nullptr));
  tokex::HandOff handoff;
  Run r;
  r.step = tokex::RunFront(argv, home.env, kNow, {stdin, out, err}, &handoff);
  r.out = tokex::testing::Contents(out);
  r.err = tokex::testing::Contents(err);
  fclose(out);
  fclose(err);
  return r;
}

}  // namespace

TEST_CASE("the slot of the word typed follows the command's row") {
  CHECK(Locate({""}).slot == Slot::kCommand);
  CHECK(Locate({"-v", "--config", "/c", "to"}).slot == Slot::kCommand);
  CHECK(Locate({"token", ""}).slot == Slot::kProfile);
  CHECK(Locate({"token", "xdr", ""}).slot == Slot::kNothing);
  CHECK(Locate({"login", "--device", ""}).slot == Slot::kProfile);
  CHECK(Locate({"env", "--github", "x"}).slot == Slot::kProfile);
  CHECK(Locate({"status", ""}).slot == Slot::kProfile);
  CHECK(Locate({"match", ""}).slot == Slot::kNothing);
  CHECK(Locate({"secret", ""}).slot == Slot::kAction);
  CHECK(Locate({"secret", "set", ""}).slot == Slot::kProfile);
  CompletionPoint name = Locate({"secret", "rm", "az", "cl"});
  CHECK(name.slot == Slot::kSecretName);
  CHECK(name.profile == "az");
  CHECK(name.word == "cl");
  CHECK(Locate({"secret", "rm", "az", "client-secret", ""}).slot == Slot::kNothing);
  CHECK(Locate({"nosuch", ""}).slot == Slot::kNothing);
  // refresh [--rotating|PROFILE...]: any number of profiles.
  CHECK(Locate({"refresh", ""}).slot == Slot::kProfile);
  CHECK(Locate({"refresh", "mdr", "a", ""}).slot == Slot::kProfile);
  CHECK(Locate({"check", "--exchange", ""}).slot == Slot::kProfile);
}

TEST_CASE("--config takes a file and is remembered for the profiles") {
  CHECK(Locate({"--config", ""}).slot == Slot::kFile);
  CHECK(Locate({"token", "--config", "/et"}).slot == Slot::kFile);
  CHECK(Locate({"--config=/et"}).slot == Slot::kFile);
  CHECK(Locate({"--min-ttl", ""}).slot == Slot::kNothing);
  CHECK(Locate({"--config", "/a", "token", ""}).config_flag == "/a");
  CHECK(Locate({"--config=/b", "token", ""}).config_flag == "/b");
  CHECK(Locate({"token", ""}).config_flag.empty());
}

TEST_CASE("after exec's PROFILE comes --, then a command line of its own") {
  CHECK(Locate({"exec", "xdr", ""}).slot == Slot::kDashes);
  CHECK(Candidates({"exec", "xdr", ""}, nullptr) == Words{"--"});
  CompletionPoint cmd = Locate({"exec", "xdr", "--", "ec"});
  CHECK(cmd.slot == Slot::kProgram);
  CHECK(cmd.program_at == 3);
  CompletionPoint arg = Locate({"-v", "exec", "xdr", "--", "ls", "-l", ""});
  CHECK(arg.slot == Slot::kProgram);
  CHECK(arg.program_at == 4);
  CHECK_FALSE(arg.options);  // "-l" and "-" after "--" are the program's
  CHECK(Locate({"exec", "xdr", "--", "ls", "--con"}).slot == Slot::kProgram);
}

TEST_CASE("the global options are those the command line parser reads") {
  for (const tokex::GlobalOption& o : tokex::GlobalOptions()) {
    CAPTURE(o.name);
    Words argv{std::string(o.name)};
    if (o.takes_value) argv.emplace_back("1");
    CHECK(tokex::ParseCommandLine(argv, TokexCommands()).ok());
    // One that takes a value wants it; one that does not leaves the next
    // word to be read as the command.
    CHECK(tokex::ParseCommandLine(Words{std::string(o.name)}, TokexCommands()).ok() == !o.takes_value);
    if (!o.takes_value)
      CHECK_FALSE(tokex::ParseCommandLine(Words{std::string(o.name), "1", "2"}, TokexCommands()).ok());
  }
}

TEST_CASE("the candidates start with the word typed") {
  Words commands = Candidates({""}, nullptr);
  CHECK(std::find(commands.begin(), commands.end(), "token") != commands.end());
  CHECK(std::find(commands.begin(), commands.end(), "__complete") == commands.end());
  CHECK(commands.size() + 1 == TokexCommands().size());
  CHECK(Candidates({"t"}, nullptr) == Words{"token"});
  CHECK(Candidates({"secret", ""}, nullptr) == Words{"set", "rm"});
  CHECK(Candidates({"secret", "r"}, nullptr) == Words{"rm"});
  CHECK(Candidates({"env", "--g"}, nullptr) == Words{"--github", "--gitlab"});
  CHECK(Candidates({"login", "--d"}, nullptr) == Words{"--device"});
  CHECK(Candidates({"token", "--d"}, nullptr).empty());
  CHECK(Candidates({"--no"}, nullptr) == Words{"--no-cache"});
  Words options = Candidates({"-"}, nullptr);
  for (const tokex::GlobalOption& o : tokex::GlobalOptions())
    CHECK(std::find(options.begin(), options.end(), o.name) != options.end());
}

TEST_CASE("profile and secret names come from the config") {
  tokex::Config config = TestConfig();
  CHECK(Candidates({"token", ""}, &config) == Words{"xdr", "xdr-eu", "az", "broken"});
  CHECK(Candidates({"token", "xdr"}, &config) == Words{"xdr", "xdr-eu"});
  CHECK(Candidates({"token", ""}, nullptr).empty());
  CHECK(Candidates({"secret", "set", "xdr", ""}, &config) == Words{"client-secret"});
  CHECK(Candidates({"secret", "set", "az", ""}, &config) ==
        Words{"refresh-token", "client-secret", "private-key", "password"});
  CHECK(Candidates({"secret", "set", "az", "p"}, &config) == Words{"private-key", "password"});
  CHECK(Candidates({"secret", "set", "broken", ""}, &config).empty());
  CHECK(Candidates({"secret", "set", "nosuch", ""}, &config).empty());
}

TEST_CASE("the answer names what the shell should do") {
  CHECK(tokex::FormatCompletion(Locate({"t"}), Words{"token"}) == "words\ntoken\n");
  CHECK(tokex::FormatCompletion(Locate({"token", "xdr", ""}), Words{}).empty());
  CHECK(tokex::FormatCompletion(Locate({"--config="}), Words{}) == "files\n");
  CHECK(tokex::FormatCompletion(Locate({"exec", "p", "--", "ls", ""}), Words{}) == "command 3\n");
}

TEST_CASE("tokex __complete reads the config the completed line names") {
  tokex::testing::FrontHome home(kConfig, kNow);
  Run r = Complete(home, {"secret", "set", "xd"});
  CHECK(r.step.ok());
  CHECK(r.out == "words\nxdr\nxdr-eu\n");
  CHECK(r.err.empty());
  CHECK(Complete(home, {"curl", "az", "x"}).out.empty());
  CHECK(Complete(home, {"secret", "rm", "xdr", ""}).out == "words\nclient-secret\n");

  tokex::testing::TempDir other;
  std::string path = other.path + "/other.conf";
  FILE* f = fopen(path.c_str(), "w");
  REQUIRE(f != nullptr);
  fputs("[profile \"only\"]\n  preset = cisco-xdr\n  client-id = c\n", f);
  fclose(f);
  REQUIRE(chmod(path.c_str(), 0600) == 0);
  CHECK(Complete(home, {"--config", path, "token", ""}).out == "words\nonly\n");
  CHECK(Complete(home, {"--config=" + path, "token", ""}).out == "words\nonly\n");
  // The line's own --config wins over one given to __complete.
  CHECK(Complete(home, {"token", ""}, {"--config", path}).out == "words\nonly\n");
  CHECK(Complete(home, {"--config", path, "token", ""}, {"--config", "/nonexistent"}).out == "words\nonly\n");
}

TEST_CASE("tokex __complete is silent on every error") {
  tokex::testing::FrontHome home("[profile \"x\"\n", kNow);  // a syntax error
  for (const Words& line : {Words{"token", ""}, Words{"--config", "/nonexistent/c", "token", ""},
                            Words{"secret", "set", "x", ""}, Words{"nosuch", "--", ""}, Words{}}) {
    Run r = Complete(home, line);
    CHECK(r.step.ok());
    CHECK(r.err.empty());
    CHECK((r.out.empty() || r.out.starts_with("words\n")));
  }
  CHECK(Complete(home, {"token", ""}).out.empty());
  CHECK(Complete(home, {"to"}).out == "words\ntoken\n");  // no config needed
}

TEST_CASE("help and the suggestions leave __complete out") {
  std::string usage = tokex::UsageText(TokexCommands());
  CHECK(usage.find("__complete") == std::string::npos);
  auto wrong = tokex::ParseCommandLine(Words{"__complet"}, TokexCommands());
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("__complete") == std::string::npos);
}
