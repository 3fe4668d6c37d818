#include "secret_store.h"

#include <doctest/doctest.h>

#include "fakes.h"

using namespace tokex;
using namespace tokex::testing;

TEST_CASE("Replace is compare-and-set: it writes only over the expected value") {
  MemoryStore store;
  store.items["p/refresh-token"] = "one";
  auto r = store.Replace("p", "refresh-token", Secret("one"), Secret("two"));
  REQUIRE(r.ok());
  CHECK(*r);
  CHECK(store.items["p/refresh-token"] == "two");

  r = store.Replace("p", "refresh-token", Secret("one"), Secret("three"));
  REQUIRE(r.ok());
  CHECK_FALSE(*r);
  CHECK(store.items["p/refresh-token"] == "two");

  // Same length, other bytes; and a prefix of the stored value.
  CHECK_FALSE(*store.Replace("p", "refresh-token", Secret("twx"), Secret("x")));
  CHECK_FALSE(*store.Replace("p", "refresh-token", Secret("tw"), Secret("x")));
  CHECK(store.items["p/refresh-token"] == "two");
}

TEST_CASE("Replace reports a store that cannot be read or written") {
  MemoryStore store;
  auto missing = store.Replace("p", "refresh-token", Secret("one"), Secret("two"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::kStore);
  store.items["p/refresh-token"] = "one";
  store.fail_writes = true;
  auto locked = store.Replace("p", "refresh-token", Secret("one"), Secret("two"));
  REQUIRE_FALSE(locked.ok());
  CHECK(store.items["p/refresh-token"] == "one");
}

TEST_CASE("SameSecret compares every byte") {
  CHECK(SameSecret(Secret("abc"), Secret("abc")));
  CHECK_FALSE(SameSecret(Secret("abc"), Secret("abd")));
  CHECK_FALSE(SameSecret(Secret("abc"), Secret("ab")));
  CHECK(SameSecret(Secret(""), Secret("")));
}
