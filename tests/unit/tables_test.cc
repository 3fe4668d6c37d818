// The extension tables agree: every preset in the core's catalog has an
// exchange, every store a factory, every command a handler that can run it
// to the end; and no registry row names something the catalog lacks.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "engine.h"
#include "front.h"
#include "preset_catalog.h"
#include "preset_registry.h"
#include "store_catalog.h"
#include "store_registry.h"

using namespace tokex;

TEST_CASE("every preset has exactly one exchange, and every exchange a preset") {
  for (const PresetInfo& p : AllPresets()) {
    CAPTURE(p.name);
    auto n = std::count_if(PresetExchanges().begin(), PresetExchanges().end(),
                           [&](const PresetExchange& e) { return e.preset == p.name; });
    CHECK(n == 1);
    CHECK((FindExchange(PresetExchanges(), p.name) != nullptr));
  }
  for (const PresetExchange& e : PresetExchanges()) {
    CAPTURE(e.preset);
    CHECK(FindPreset(e.preset) != nullptr);
    CHECK((e.exchange != nullptr));
  }
}

TEST_CASE("every store has exactly one factory, and every factory a store") {
  for (const StoreInfo& s : AllStores()) {
    CAPTURE(s.name);
    auto n = std::count_if(StoreFactories().begin(), StoreFactories().end(),
                           [&](const StoreFactory& f) { return f.name == s.name; });
    CHECK(n == 1);
  }
  for (const StoreFactory& f : StoreFactories()) {
    CAPTURE(f.name);
    CHECK(FindStore(f.name) != nullptr);
    CHECK((f.open != nullptr));
  }
}

TEST_CASE("every command has a handler that finishes it") {
  for (const CommandInfo& c : TokexCommands()) {
    CAPTURE(c.name);
    auto n = std::count_if(EngineCommands().begin(), EngineCommands().end(),
                           [&](const EngineCommand& e) { return e.id == c.id; });
    // A command the engine does not run must be one the front finishes.
    CHECK(n <= 1);
    CHECK((n == 1 || c.front != nullptr));
    CHECK(c.min_args <= c.max_args);
    CHECK(c.profile_arg < c.max_args);
    CHECK((c.actions.empty() || c.min_args >= 1));
  }
  for (const EngineCommand& e : EngineCommands()) {
    auto n = std::count_if(TokexCommands().begin(), TokexCommands().end(),
                           [&](const CommandInfo& c) { return c.id == e.id; });
    CHECK(n == 1);
    CHECK((e.run != nullptr));
  }
}

TEST_CASE("names are unique within each table") {
  auto unique = [](auto rows, auto name) {
    std::vector<std::string> names;
    for (const auto& r : rows) names.emplace_back(name(r));
    std::sort(names.begin(), names.end());
    return std::adjacent_find(names.begin(), names.end()) == names.end();
  };
  CHECK(unique(AllPresets(), [](const PresetInfo& p) { return p.name; }));
  CHECK(unique(AllStores(), [](const StoreInfo& s) { return s.name; }));
  CHECK(unique(TokexCommands(), [](const CommandInfo& c) { return c.name; }));
}
