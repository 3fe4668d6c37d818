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

TEST_CASE("base64 with padding: RFC 4648 vectors; url alphabet, bad padding and lengths refused") {
  std::string out = "unchanged";
  for (auto [text, plain] : {std::pair{"", ""}, std::pair{"Zg==", "f"}, std::pair{"Zm8=", "fo"},
                             std::pair{"Zm9vYmFy", "foobar"}, std::pair{"+/8=", "\xfb\xff"}}) {
    REQUIRE(tokex::DecodeBase64(text, &out));
    CHECK(out == plain);
  }
  out = "unchanged";
  for (const char* bad : {"Zg", "Zg=", "-_8=", "Zm9v=Zm8=", "Z===", "Zm9v YmFy"}) {
    CHECK_FALSE(tokex::DecodeBase64(bad, &out));
    CHECK(out == "unchanged");
  }
}

TEST_CASE("AES-256-GCM: a NIST vector, and what opens only with the same key, nonce and associated data") {
  // The GCM specification's test case 16 (AES-256, 60-byte plaintext, 20-byte AAD).
  std::string key_hex = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
  auto unhex = [](std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
  };
  tokex::Secret key(unhex(key_hex));
  std::string nonce = unhex("cafebabefacedbaddecaf888");
  std::string aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  std::string plain = unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  auto sealed = tokex::SealAesGcm(key, nonce, aad, plain);
  REQUIRE(sealed.ok());
  CHECK(Hex(*sealed) ==
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        "76fc6ece0f4e1768cddf8853bb2d551b");
  auto opened = tokex::OpenAesGcm(key, nonce, aad, *sealed);
  REQUIRE(opened);
  CHECK(opened->view() == plain);

  tokex::Secret other(unhex("00" + key_hex.substr(2)));
  CHECK_FALSE(tokex::OpenAesGcm(other, nonce, aad, *sealed));
  CHECK_FALSE(tokex::OpenAesGcm(key, unhex("cafebabefacedbaddecaf889"), aad, *sealed));
  CHECK_FALSE(tokex::OpenAesGcm(key, nonce, aad + "x", *sealed));
  std::string flipped = *sealed;
  flipped[3] ^= 1;
  CHECK_FALSE(tokex::OpenAesGcm(key, nonce, aad, flipped));
  CHECK_FALSE(tokex::OpenAesGcm(key, nonce, aad, sealed->substr(0, 15)));
  CHECK_FALSE(tokex::SealAesGcm(tokex::Secret("short"), nonce, aad, plain).ok());
}
