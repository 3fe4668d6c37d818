// In-memory stand-ins for the engine's ways out: a secret store, an HTTP
// server script and a clock. Unit tests only; integration tests use the
// real keyring, emulators and tools.
#ifndef TOKEX_TESTS_UNIT_FAKES_H_
#define TOKEX_TESTS_UNIT_FAKES_H_

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "clock.h"
#include "deadline.h"
#include "diagnostics.h"
#include "http.h"
#include "random.h"
#include "secret_store.h"
#include "temp_dir.h"

namespace tokex::testing {

class MemoryStore : public SecretStore {
 public:
  std::map<std::string, std::string> items;
  bool fail_writes = false;  ///< Set and Replace fail as a locked keyring would

  Result<Secret> Get(std::string_view profile, std::string_view name) override {
    auto it = items.find(Key(profile, name));
    if (it == items.end()) return MissingSecretError(profile, name, "memory");
    return Secret(it->second);
  }
  Status Set(std::string_view profile, std::string_view name, const Secret& value) override {
    if (fail_writes) return MakeError(ErrorKind::kStore, "the memory store is locked");
    items[Key(profile, name)] = std::string(value.view());
    return Success();
  }
  Status Remove(std::string_view profile, std::string_view name) override {
    items.erase(Key(profile, name));
    return Success();
  }
  Result<bool> Has(std::string_view profile, std::string_view name) override {
    return items.count(Key(profile, name)) != 0;
  }
  std::string Describe() const override { return "memory"; }

  static std::string Key(std::string_view profile, std::string_view name) {
    return std::string(profile) + "/" + std::string(name);
  }
};

/// A clock that moves only when a test (or a sleep) moves it. Its
/// monotonic time starts at the real one, so that deadlines made from it
/// also bound the real waits of the profile lock.
class FakeClock : public Clock {
 public:
  int64_t now = 1'700'000'000;
  double mono = MonotonicSeconds();
  const double mono_start = mono;
  std::vector<double> sleeps;
  int64_t Now() override { return now; }
  int64_t NowMs() override { return now * 1000 + static_cast<int64_t>((mono - mono_start) * 1000); }
  double Monotonic() override { return mono; }
  void SleepSeconds(double s) override {
    sleeps.push_back(s);
    mono += s;
  }
  /// A deadline `seconds` from the clock's now.
  Deadline In(double seconds) const { return Deadline{mono + seconds}; }
};

/// A network failure that may pass, as HttpClient reports one.
inline Error TransientError(std::string message) {
  Error e = MakeError(ErrorKind::kNetwork, std::move(message));
  e.transient = true;
  return e;
}

/// An HTTP answer as a server gives one.
inline HttpResponse Answer(long status, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

/// Answers requests from a queue of scripted responses and records them.
class ScriptedHttp : public HttpClient {
 public:
  struct Seen {
    std::string method, url, body, ca_file;
    std::vector<std::pair<std::string, std::string>> headers;
    double timeout_seconds = 0;
    std::string Header(std::string_view name) const {
      for (const auto& [n, v] : headers)
        if (n == name) return v;
      return {};
    }
  };
  std::deque<Result<HttpResponse>> script;
  std::vector<Seen> seen;
  /// When set, each request takes `cost` seconds of this clock, or its
  /// whole timeout if that is shorter (then it fails as timed out).
  FakeClock* clock = nullptr;
  double cost = 0;

  void Reply(long status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    script.emplace_back(Answer(status, std::move(body), std::move(headers)));
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    seen.push_back({request.method, request.url, request.body, request.ca_file, request.headers,
                    request.timeout_seconds});
    if (clock != nullptr) {
      clock->mono += std::min(cost, request.timeout_seconds);
      if (cost >= request.timeout_seconds) return TransientError("timed out");
    }
    if (script.empty()) return MakeError(ErrorKind::kNetwork, "script ran out");
    Result<HttpResponse> r = std::move(script.front());
    script.pop_front();
    return r;
  }
};

/// A store that forwards to a MemoryStore the test keeps, for code that
/// takes ownership of the store it opens.
class ForwardingStore : public SecretStore {
 public:
  explicit ForwardingStore(SecretStore& target) : t_(target) {}
  Result<Secret> Get(std::string_view p, std::string_view n) override { return t_.Get(p, n); }
  Status Set(std::string_view p, std::string_view n, const Secret& v) override { return t_.Set(p, n, v); }
  Result<bool> Replace(std::string_view p, std::string_view n, const Secret& e, const Secret& v) override {
    return t_.Replace(p, n, e, v);
  }
  Status Remove(std::string_view p, std::string_view n) override { return t_.Remove(p, n); }
  Result<bool> Has(std::string_view p, std::string_view n) override { return t_.Has(p, n); }
  std::string Describe() const override { return t_.Describe(); }
  SharedTokens* Shared() override { return t_.Shared(); }
  Result<std::vector<StoreFact>> Health() override { return t_.Health(); }

 private:
  SecretStore& t_;
};

/// Bytes 0, 1, 2, ... continuing from call to call.
class CountingRandom : public Random {
 public:
  unsigned char next = 0;
  Status Fill(std::span<unsigned char> out) override {
    for (unsigned char& b : out) b = next++;
    return Success();
  }
};

/// Keeps what commands say, for tests to look at.
class RecordingDiagnostics : public Diagnostics {
 public:
  std::vector<std::string> notices, notes;
  void Notice(std::string_view profile, std::string_view text) override {
    notices.push_back(std::string(profile) + ": " + std::string(text));
  }
  void Note(std::string_view profile, std::string_view text) override {
    notes.push_back(std::string(profile) + ": " + std::string(text));
  }
};

}  // namespace tokex::testing

#endif  // TOKEX_TESTS_UNIT_FAKES_H_
