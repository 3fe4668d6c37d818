// One fixture for the unit tests that run the engine or a preset's
// exchange over the fakes of fakes.h: the profiles of a config text, the
// store, server, clock, random bytes and diagnostics wired as
// ObtainCredential and the exchanges take them. A test file derives from
// it to add what is its own: its config, its secrets, its helpers.
#ifndef TOKEX_TESTS_UNIT_ENGINE_HARNESS_H_
#define TOKEX_TESTS_UNIT_ENGINE_HARNESS_H_

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "config.h"
#include "exchange.h"
#include "fakes.h"
#include "obtain.h"
#include "rotation.h"

namespace tokex::testing {

struct EngineHarness {
  TempDir tmp;  ///< holds the directories of `paths` and `ca_file`
  MemoryStore store;  ///< the secrets, as "PROFILE/NAME"; what open_store and Context hand out
  ScriptedHttp http;  ///< the server's scripted answers, and the requests it saw
  FakeClock clock;  ///< moves only when a test (or a sleep) moves it
  CountingRandom random;  ///< bytes 0, 1, 2, ...: the jti and PKCE values tests can predict
  RecordingDiagnostics log;  ///< what the engine told the person
  std::string ca_file;  ///< the file CA_FILE in the config text names; empty without CA_FILE
  Config config;  ///< the config text, parsed as the file "/cfg"
  Paths paths;  ///< cache_dir, state_dir and data_dir: folders (not yet made) under `tmp`
  ObtainOptions options;  ///< what Obtain asks for: the cache used, a deadline 30 s after construction
  /// The fakes above as Obtain hands them to the engine: open_store opens
  /// a ForwardingStore over `store`, the registry is the constructor's.
  EngineDeps deps;

  /// Parses `config_text`, which must parse, as the file "/cfg". The first
  /// CA_FILE in it becomes `ca_file`, a file under `tmp` that starts as a
  /// PEM certificate does. `exchanges` is the preset registry Obtain runs:
  /// the presets' tests pass PresetExchanges().
  explicit EngineHarness(std::string_view config_text = "", std::span<const PresetExchange> exchanges = {})
      : deps{http,
             clock,
             random,
             exchanges,
             [this](const Profile&) { return std::unique_ptr<SecretStore>(new ForwardingStore(store)); },
             paths,
             getuid(),
             log} {
    std::string text(config_text);
    if (size_t at = text.find("CA_FILE"); at != std::string::npos) {
      ca_file = tmp.path + "/ca.pem";
      text.replace(at, 7, ca_file);
      std::ofstream(ca_file) << "-----BEGIN CERTIFICATE-----\n";
    }
    Environment env;
    env.uid = getuid();
    auto parsed = ParseConfig(text, "/cfg", env);
    REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
    config = std::move(parsed.value());
    paths.cache_dir = tmp.path + "/cache";
    paths.state_dir = tmp.path + "/state";
    paths.data_dir = tmp.path + "/data";
    options.deadline = clock.In(30);
  }

  /// The usable profile `name`; a profile the config refused fails the test.
  const Profile& P(std::string_view name) {
    auto p = config.Find(name);
    REQUIRE_MESSAGE(p.ok(), p.error().message);
    return **p;
  }

  /// The one profile of a config that has one.
  const Profile& P() {
    REQUIRE(config.profiles.size() == 1);
    return P(config.profiles[0].name);
  }

  /// The credential of profile `name` (of the one profile without a name),
  /// as `tokex print` obtains it: ObtainCredential with `options` and `deps`.
  Result<Credential> Obtain(std::string_view name) { return ObtainCredential(P(name), options, deps); }
  Result<Credential> Obtain() { return ObtainCredential(P(), options, deps); }

  /// What an exchange for `profile` is handed, for tests that call one (or
  /// ExchangeRotating, or a sign-in) directly: the fakes above and a
  /// deadline `seconds` from now.
  ExchangeContext Context(const Profile& profile, double seconds = 30) {
    return {profile, store, http, clock, random, paths, getuid(), clock.In(seconds), log};
  }
  ExchangeContext Context(std::string_view name) { return Context(P(name)); }

  /// The recovery file of profile `name`, as rotation left it; empty when
  /// there is none.
  std::string Recovered(std::string_view name) {
    std::ifstream in(RecoveryPath(paths, name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
};

}  // namespace tokex::testing

#endif  // TOKEX_TESTS_UNIT_ENGINE_HARNESS_H_
