#include "cli.h"

#include <doctest/doctest.h>

#include "front.h"

using tokex::CommandId;
using tokex::ParseCommandLine;

namespace {

tokex::Result<tokex::Invocation> Parse(std::vector<std::string> argv) { return ParseCommandLine(argv, tokex::TokexCommands()); }

}  // namespace

TEST_CASE("flags anywhere before --") {
  auto inv = Parse({"--config", "/c", "token", "xdr", "--no-cache", "--min-ttl=300", "-v"});
  REQUIRE(inv.ok());
  CHECK(inv->command->id == CommandId::kToken);
  CHECK(inv->args == std::vector<std::string>{"xdr"});
  CHECK(inv->config_path == "/c");
  CHECK(inv->no_cache);
  CHECK(inv->min_ttl == 300);
  CHECK(inv->verbose == 1);
}

TEST_CASE("usage errors") {
  CHECK(Parse({"tokne", "x"}).error().message == "unknown command 'tokne': did you mean 'tokex token'?");
  CHECK(Parse({"token"}).error().message == "usage: tokex token PROFILE: see 'tokex help'");
  CHECK(Parse({"--frobnicate"}).error().message == "unknown option '--frobnicate': see 'tokex help'");
  CHECK(Parse({"secret", "get", "p", "n"}).error().message ==
        "'tokex secret get': use set or rm: see 'tokex help'");
  CHECK(Parse({"token", "x", "--min-ttl", "soon"}).error().kind == tokex::ErrorKind::kUsage);
  CHECK(Parse({"token", "x", "--config"}).error().message == "--config needs a value: see 'tokex help'");
}

TEST_CASE("no arguments and --help mean help; the usage lists every command") {
  CHECK(Parse({})->command->id == CommandId::kHelp);
  CHECK(Parse({"--help"})->command->id == CommandId::kHelp);
  std::string usage = tokex::UsageText(tokex::TokexCommands());
  for (const auto& c : tokex::TokexCommands()) {
    if (!c.hidden) CHECK(usage.find("  " + std::string(c.name) + " ") != std::string::npos);
  }
}

TEST_CASE("the PROFILE argument is where the command's row says") {
  CHECK(Parse({"token", "xdr"})->ProfileArg() == "xdr");
  CHECK(Parse({"secret", "set", "xdr", "client-secret"})->ProfileArg() == "xdr");
  CHECK(Parse({"status"})->ProfileArg().empty());
  CHECK(Parse({"status", "xdr"})->ProfileArg() == "xdr");
  CHECK(Parse({"version"})->ProfileArg().empty());
}
