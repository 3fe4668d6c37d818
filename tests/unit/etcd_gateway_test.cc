#include "etcd_gateway.h"

#include <doctest/doctest.h>

#include <string>

#include "crypto.h"

using tokex::EtcdRange;

namespace {

std::string B64(std::string_view s) { return tokex::Base64(s); }

}  // namespace

TEST_CASE("request bodies: keys and values in base64, 64-bit numbers as strings, the prefix's range end") {
  CHECK(tokex::EtcdRangeRequest("a/b", false) == R"({"key":")" + B64("a/b") + R"("})");
  CHECK(tokex::EtcdRangeRequest("a/", true) == R"({"key":")" + B64("a/") + R"(","range_end":")" + B64("a0") + R"("})");
  CHECK(tokex::EtcdRangeRequest("a\xff", true) == R"({"key":")" + B64("a\xff") + R"(","range_end":")" + B64("b") + R"("})");
  CHECK(tokex::EtcdPutRequest("k", "v", 7) == R"({"key":"aw==","value":"dg==","lease":"7"})");
  CHECK(tokex::EtcdPutRequest("k", "v") == R"({"key":"aw==","value":"dg=="})");
  CHECK(tokex::EtcdCompareAndPutRequest("k", "v", 12) ==
        R"({"compare":[{"key":"aw==","result":"EQUAL","target":"MOD","mod_revision":"12"}],)"
        R"("success":[{"request_put":{"key":"aw==","value":"dg=="}}],"failure":[{"request_range":{"key":"aw=="}}]})");
  CHECK(tokex::EtcdCompareAndPutRequest("k", "v", 0).find(R"("target":"VERSION","version":"0")") != std::string::npos);
  CHECK(tokex::EtcdLeaseGrantRequest(10) == R"({"TTL":"10"})");
  CHECK(tokex::EtcdLeaseRequest(-5) == R"({"ID":"-5"})");
  CHECK(tokex::EtcdLockRequest("l", 694) == R"({"name":"bA==","lease":"694"})");
  // A password is escaped as JSON, whatever it holds.
  CHECK(tokex::EtcdAuthRequest("u", tokex::Secret("p\"\\w")) == R"({"name":"u","password":"p\"\\w"})");
}

TEST_CASE("a range answer as etcd 3.4's gateway writes it") {
  std::string body =
      R"({"header":{"cluster_id":"15118495548433857066","member_id":"13668033151171901709","revision":"6","raft_term":"2"},)"
      R"("kvs":[{"key":"azE=","create_revision":"2","mod_revision":"5","version":"2","value":"djI=","lease":"694"}],"count":"1"})";
  auto r = tokex::ParseEtcdRange(body);
  REQUIRE(r.ok());
  CHECK(r->header.member_id == 13668033151171901709ull);
  CHECK(r->header.revision == 6);
  REQUIRE(r->kvs.size() == 1);
  CHECK(r->kvs[0].key == "k1");
  CHECK(r->kvs[0].value == "v2");
  CHECK(r->kvs[0].create_revision == 2);
  CHECK(r->kvs[0].mod_revision == 5);
  CHECK(r->kvs[0].lease == 694);
  // No kvs: nothing there (proto3 leaves out empty lists).
  auto empty = tokex::ParseEtcdRange(R"({"header":{"member_id":"1","revision":"3"}})");
  REQUIRE(empty.ok());
  CHECK(empty->kvs.empty());
}

TEST_CASE("a transaction: succeeded, or lost with the winner's value read") {
  EtcdRange read;
  auto won = tokex::ParseEtcdTxn(
      R"({"header":{"member_id":"1","revision":"9"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"9"}}}]})",
      &read);
  REQUIRE(won.ok());
  CHECK(*won);
  auto lost = tokex::ParseEtcdTxn(
      R"({"header":{"member_id":"1","revision":"9"},"responses":[{"response_range":{"header":{"revision":"9"},)"
      R"("kvs":[{"key":"aw==","create_revision":"2","mod_revision":"8","version":"3","value":"dzI="}],"count":"1"}}]})",
      &read);
  REQUIRE(lost.ok());
  CHECK_FALSE(*lost);
  REQUIRE(read.kvs.size() == 1);
  CHECK(read.kvs[0].value == "w2");
  CHECK(read.kvs[0].mod_revision == 8);
}

TEST_CASE("leases, locks, sign-in, status and members") {
  auto grant = tokex::ParseEtcdLease(R"({"header":{"member_id":"1","revision":"2"},"ID":"4111120196764151303","TTL":"5"})");
  REQUIRE(grant.ok());
  CHECK(grant->id == 4111120196764151303);
  CHECK(grant->ttl == 5);
  auto kept = tokex::ParseEtcdLease(R"({"result":{"header":{"revision":"2"},"ID":"7","TTL":"5"}})");
  REQUIRE(kept.ok());
  CHECK(kept->id == 7);
  auto lock = tokex::ParseEtcdLock(R"({"header":{"revision":"3"},"key":")" + B64("tokex/p/lock/390da2098d0fae09") + R"("})");
  REQUIRE(lock.ok());
  CHECK(*lock == "tokex/p/lock/390da2098d0fae09");
  auto auth = tokex::ParseEtcdAuth(R"({"header":{"revision":"3"},"token":"abc.123"})");
  REQUIRE(auth.ok());
  CHECK(auth->view() == "abc.123");
  auto status = tokex::ParseEtcdStatus(
      R"({"header":{"member_id":"13668033151171901709","revision":"6"},"version":"3.4.23","leader":"13668033151171901709"})");
  REQUIRE(status.ok());
  CHECK(status->version == "3.4.23");
  CHECK(status->leader == 13668033151171901709ull);
  auto members = tokex::ParseEtcdMembers(
      R"({"header":{},"members":[{"ID":"13668033151171901709","name":"default","peerURLs":["http://127.0.0.1:2380"]}]})");
  REQUIRE(members.ok());
  REQUIRE(members->size() == 1);
  CHECK((*members)[0].name == "default");
  CHECK(tokex::EtcdErrorMessage(R"({"error":"etcdserver: user name is empty","code":3,"message":"etcdserver: user name is empty"})") ==
        "etcdserver: user name is empty");
}

TEST_CASE("what etcd would not send is an error that quotes nothing of it") {
  for (const char* bad : {"", "[]", "{", R"({"kvs":[]})", R"({"header":{"member_id":"x1","revision":"1"}})",
                          R"({"header":{"member_id":"1","revision":"1"},"kvs":{}})",
                          R"({"header":{"member_id":"1","revision":"1"},"kvs":[{"key":"a=b","value":"secret-ish"}]})",
                          R"({"header":{"member_id":"99999999999999999999","revision":"1"}})"}) {
    auto r = tokex::ParseEtcdRange(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == tokex::ErrorKind::kStore);
    CHECK(r.error().message.find("secret-ish") == std::string::npos);
  }
  CHECK_FALSE(tokex::ParseEtcdLease(R"({"ID":"0","TTL":"5"})").ok());
  CHECK_FALSE(tokex::ParseEtcdLock(R"({"header":{}})").ok());
  CHECK_FALSE(tokex::ParseEtcdAuth(R"({"token":"a\nb"})").ok());
  EtcdRange read;
  CHECK_FALSE(tokex::ParseEtcdTxn(R"({"header":{"member_id":"1","revision":"1"},"succeeded":"yes"})", &read).ok());
  // Deep nesting is parsed without recursion.
  CHECK_FALSE(tokex::ParseEtcdRange(std::string(100000, '[')).ok());
}
