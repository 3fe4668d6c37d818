// The unit tests' data files (tests/unit/data/), and what they check
// tokex's JWTs with: the parts of a token, and the openssl command line,
// which shares no code with tokex.
#ifndef TOKEX_TESTS_UNIT_TEST_DATA_H_
#define TOKEX_TESTS_UNIT_TEST_DATA_H_

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"
#include "temp_dir.h"

namespace tokex::testing {

/// The path of tests/unit/data/`name`.
inline std::string DataPath(std::string_view name) {
  return std::string(TOKEX_TEST_DATA_DIR) + "/" + std::string(name);
}

/// The whole file at `path`; one that cannot be opened fails the test.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

/// True when the shell command exits 0; its output is dropped.
inline bool Run(const std::string& command) {
  int status = std::system((command + " >/dev/null 2>&1").c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// `s` in single quotes, for a shell command (no quote inside).
inline std::string Quote(const std::string& s) { return "'" + s + "'"; }

/// The parts of a JWT (or any text) between its dots, empty ones included.
inline std::vector<std::string> Split(std::string_view token) {
  std::vector<std::string> parts;
  size_t at = 0;
  for (size_t dot; (dot = token.find('.', at)) != std::string_view::npos; at = dot + 1)
    parts.emplace_back(token.substr(at, dot - at));
  parts.emplace_back(token.substr(at));
  return parts;
}

/// A base64url part of a JWT, decoded; one that does not decode fails the test.
inline std::string DecodePart(const std::string& part) {
  std::string out;
  REQUIRE(DecodeBase64Url(part, &out));
  return out;
}

/// The openssl options of PS256: PSS, salt 32, MGF1 with SHA-256.
constexpr std::string_view kPssOpts =
    "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256";

/// Checks SHA-256 RSA signatures with the openssl command line against
/// the public key of a PEM file: a certificate's, or a private key's.
class OpensslVerifier {
 public:
  explicit OpensslVerifier(const std::string& pem_path) : pub_(dir_.path + "/pub.pem") {
    if (ReadFile(pem_path).starts_with("-----BEGIN CERTIFICATE-----"))
      REQUIRE(Run("openssl x509 -in " + Quote(pem_path) + " -pubkey -noout -out " + Quote(pub_)));
    else
      REQUIRE(Run("openssl pkey -in " + Quote(pem_path) + " -pubout -out " + Quote(pub_)));
  }

  /// Whether `signature` signs `signing_input`; `sigopts` are openssl's
  /// (empty: PKCS #1 v1.5, as RS256; kPssOpts: as PS256).
  bool Verifies(std::string_view signing_input, std::string_view signature, std::string_view sigopts) {
    std::string input = dir_.path + "/input.txt";
    std::string sig = dir_.path + "/sig.bin";
    WriteFile(input, signing_input);
    WriteFile(sig, signature);
    return Run("openssl dgst -sha256 " + std::string(sigopts) + " -verify " + Quote(pub_) + " -signature " +
               Quote(sig) + " " + Quote(input));
  }

  /// Whether the JWS `parts` (Split of the token) is signed as `sigopts` say.
  bool VerifiesJws(const std::vector<std::string>& parts, std::string_view sigopts) {
    REQUIRE(parts.size() == 3);
    return Verifies(parts[0] + "." + parts[1], DecodePart(parts[2]), sigopts);
  }

 private:
  TempDir dir_;
  std::string pub_;
};

}  // namespace tokex::testing

#endif  // TOKEX_TESTS_UNIT_TEST_DATA_H_
