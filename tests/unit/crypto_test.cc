#include "crypto.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>

namespace {

std::string Hex(std::string_view bytes) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0f];
  }
  return out;
}

}  // namespace

TEST_CASE("base64 and base64url: RFC 4648 section 10 vectors") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& vector : vectors) {
    // Named copies: clang 14 cannot capture structured bindings in CAPTURE's lambda.
    std::string_view plain = vector.first;
    std::string_view encoded = vector.second;
    CAPTURE(plain);
    CHECK(tokex::Base64(plain) == encoded);
    std::string unpadded(encoded.substr(0, encoded.find('=')));
    CHECK(tokex::Base64Url(plain) == unpadded);
    std::string decoded = "unchanged";
    REQUIRE(tokex::DecodeBase64Url(unpadded, &decoded));
    CHECK(decoded == plain);
    decoded = "unchanged";
    REQUIRE(tokex::DecodeBase64Url(encoded, &decoded));
    CHECK(decoded == plain);
  }
}

TEST_CASE("base64url uses - and _ where base64 uses + and /") {
  CHECK(tokex::Base64("\xfb\xff") == "+/8=");
  CHECK(tokex::Base64Url("\xfb\xff") == "-_8");
  CHECK(tokex::Base64Url("\xfb\xef\xbe") == "----");
  std::string out;
  REQUIRE(tokex::DecodeBase64Url("-_8", &out));
  CHECK(out == "\xfb\xff");
}

TEST_CASE("base64url round trips every byte value at every length mod 3") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 37) {
    for (size_t extra = 0; extra < 3 && len + extra <= all.size(); ++extra) {
      std::string data = all.substr(0, len + extra);
      CAPTURE(data.size());
      std::string encoded = tokex::Base64Url(data);
      CHECK(encoded.find_first_of("+/=") == std::string::npos);
      std::string decoded;
      REQUIRE(tokex::DecodeBase64Url(encoded, &decoded));
      CHECK(decoded == data);
    }
  }
}

TEST_CASE("bad base64url is refused and leaves the output alone") {
  for (const char* bad : {"+/8", "Zm9v!", "Zm9v Zg", "Z", "Zm9vY", "Zg===", "=Zg", "Zg==Zg"}) {
    CAPTURE(bad);
    std::string out = "unchanged";
    CHECK_FALSE(tokex::DecodeBase64Url(bad, &out));
    CHECK(out == "unchanged");
  }
  std::string out = "unchanged";
  CHECK_FALSE(tokex::DecodeBase64Url(std::string_view("Zg\0\0", 4), &out));
  CHECK(out == "unchanged");
}

TEST_CASE("SHA-256: FIPS 180-2 vectors") {
  CHECK(Hex(tokex::Sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Hex(tokex::Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Hex(tokex::Sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(tokex::Sha256(std::string_view("abc\0", 4)) != tokex::Sha256("abc"));
}

TEST_CASE("HMAC-SHA-256: RFC 4231 test cases 1, 2 and 6") {
  auto mac = tokex::HmacSha256(tokex::Secret("Jefe"), "what do ya want for nothing?");
  REQUIRE(mac.ok());
  CHECK(Hex(*mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  mac = tokex::HmacSha256(tokex::Secret(std::string(20, '\x0b')), "Hi There");
  REQUIRE(mac.ok());
  CHECK(Hex(*mac) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

  // A key longer than the block is hashed first.
  mac = tokex::HmacSha256(tokex::Secret(std::string(131, '\xaa')),
                          "Test Using Larger Than Block-Size Key - Hash Key First");
  REQUIRE(mac.ok());
  CHECK(Hex(*mac) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("HMAC-SHA-256 with an empty key and empty data") {
  // Computed with Python's hmac module; OpenSSL must not treat the empty key as "no key".
  auto mac = tokex::HmacSha256(tokex::Secret(), {});
  REQUIRE(mac.ok());
  CHECK(Hex(*mac) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
