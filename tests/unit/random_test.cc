#include "random.h"

#include <doctest/doctest.h>

#include <regex>
#include <string>

namespace {

// Fills with start, start+1, ... so the UUID is known in advance.
class CountingRandom : public tokex::Random {
 public:
  explicit CountingRandom(unsigned char start) : start_(start) {}
  tokex::Status Fill(std::span<unsigned char> out) override {
    unsigned char next = start_;
    for (unsigned char& b : out) b = next++;
    return tokex::Success();
  }

 private:
  unsigned char start_;
};

class FailingRandom : public tokex::Random {
 public:
  tokex::Status Fill(std::span<unsigned char>) override {
    return tokex::MakeError(tokex::ErrorKind::kInternal, "no entropy: test");
  }
};

bool LooksLikeUuidV4(const std::string& s) {
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(s, uuid);
}

}  // namespace

TEST_CASE("UuidV4 of a fixed byte pattern") {
  CountingRandom counting(0x00);
  auto uuid = tokex::UuidV4(counting);
  REQUIRE(uuid.ok());
  // Byte 6 (0x06) gets version 4, byte 8 (0x08) the variant bits 10.
  CHECK(*uuid == "00010203-0405-4607-8809-0a0b0c0d0e0f");
  CHECK((*uuid)[14] == '4');
  CHECK((*uuid)[19] == '8');
  CHECK(LooksLikeUuidV4(*uuid));

  CountingRandom high(0xf0);
  uuid = tokex::UuidV4(high);
  REQUIRE(uuid.ok());
  // 0xf6 keeps its low nibble under the version; 0xf8 becomes 0xb8 (10 + 11 1000).
  CHECK(*uuid == "f0f1f2f3-f4f5-46f7-b8f9-fafbfcfdfeff");
  CHECK((*uuid)[19] == 'b');
  CHECK(LooksLikeUuidV4(*uuid));
}

TEST_CASE("UuidV4 passes on the source's failure") {
  FailingRandom failing;
  auto uuid = tokex::UuidV4(failing);
  REQUIRE_FALSE(uuid.ok());
  CHECK(uuid.error().kind == tokex::ErrorKind::kInternal);
  CHECK(uuid.error().message == "no entropy: test");
}

TEST_CASE("SystemRandom gives well-formed, different UUIDs") {
  tokex::SystemRandom random;
  auto a = tokex::UuidV4(random);
  auto b = tokex::UuidV4(random);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(LooksLikeUuidV4(*a));
  CHECK(LooksLikeUuidV4(*b));
  CHECK(*a != *b);
  CHECK_FALSE(LooksLikeUuidV4("00010203-0405-1607-8809-0a0b0c0d0e0f"));
  CHECK_FALSE(LooksLikeUuidV4("00010203-0405-4607-c809-0a0b0c0d0e0f"));
}

TEST_CASE("SystemRandom fills a buffer and accepts an empty one") {
  tokex::SystemRandom random;
  unsigned char buf[64] = {};
  REQUIRE(random.Fill(buf).ok());
  int zeros = 0;
  for (unsigned char c : buf) zeros += c == 0;
  CHECK(zeros < 16);  // odds of 16 zero bytes in 64 random ones: about 1e-24
  CHECK(random.Fill(std::span<unsigned char>()).ok());
}
