// The env_output codec on literal strings: shell quoting, GitHub Actions'
// mask line and $GITHUB_ENV block, GitLab's masking rules.
#include "env_output.h"

#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

using tokex::ErrorKind;
using tokex::GitHubEnvBlock;
using tokex::GitHubMaskLine;
using tokex::GitLabMaskProblem;
using tokex::kDelimiterBytes;
using tokex::ShellAssignment;
using tokex::ShellQuote;

namespace {

std::vector<unsigned char> Bytes(std::initializer_list<unsigned char> fills) {
  std::vector<unsigned char> out;
  for (unsigned char f : fills) out.insert(out.end(), kDelimiterBytes, f);
  return out;
}

std::string Delimiter(char hex_digit) { return "ghadelimiter_" + std::string(2 * kDelimiterBytes, hex_digit); }

// Values no writer here may put in a shell, a log or $GITHUB_ENV.
constexpr std::array kUnwritable = {
    "a\nb", "a\rb", "a\tb", "\n", "a\x1b[2Jb", "a\x7f", "a\xc2\x85z" /* NEL, a C1 control */, "a\xff" /* not UTF-8 */,
    "a\xc3" /* cut UTF-8 */, "",
};

}  // namespace

TEST_CASE("ShellQuote: everything but the quote is literal inside single quotes") {
  CHECK(ShellQuote("") == "''");
  CHECK(ShellQuote("abc") == "'abc'");
  CHECK(ShellQuote("it's") == "'it'\\''s'");
  CHECK(ShellQuote("''") == "''\\'''\\'''");
  // Each character a shell would otherwise act on, alone.
  for (std::string c : {" ", "\"", "\\", "$", "`", "!", "*", "?", "[", "]", ";", "|", "&", "<", ">", "#", "~", "(",
                        ")", "{", "}", "=", "%", "^", ",", "$(id)", "${HOME}", "\\'"}) {
    CAPTURE(c);
    std::string want = "'";
    for (char ch : c) want += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    want += "'";
    CHECK(ShellQuote(c) == want);
  }
  CHECK(ShellQuote("caf\xc3\xa9") == "'caf\xc3\xa9'");
}

TEST_CASE("ShellAssignment exports the variable") {
  auto a = ShellAssignment("XDR_TOKEN", "xdr-abc");
  REQUIRE(a.ok());
  CHECK(*a == "export XDR_TOKEN='xdr-abc'\n");
  a = ShellAssignment("T", "it's $HOME `id` \"q\" \\");
  REQUIRE(a.ok());
  CHECK(*a == "export T='it'\\''s $HOME `id` \"q\" \\'\n");
}

TEST_CASE("ShellAssignment refuses names that are unsafe or not names") {
  for (const char* name : {"LD_PRELOAD", "BASH_ENV", "PATH", "IFS", "ENV", "NODE_OPTIONS", "1A", "A B", "A-B", "",
                           "A=B", "X;rm"}) {
    CAPTURE(name);
    auto a = ShellAssignment(name, "value");
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().kind == ErrorKind::kUsage);
  }
}

TEST_CASE("every writer refuses control characters, invalid UTF-8 and an empty token, quoting none") {
  std::array<unsigned char, kDelimiterBytes> random{};
  for (const char* bad : kUnwritable) {
    std::string value(bad);
    CAPTURE(value);
    auto shell = ShellAssignment("T", value);
    auto mask = GitHubMaskLine(value);
    auto block = GitHubEnvBlock("T", value, random);
    for (const auto* r : {&shell, &mask, &block}) {
      REQUIRE_FALSE(r->ok());
      CHECK(r->error().kind == ErrorKind::kNetwork);
      if (!value.empty()) CHECK(r->error().message.find(value) == std::string::npos);
    }
  }
}

TEST_CASE("GitHubMaskLine escapes what the runner decodes") {
  CHECK(*GitHubMaskLine("xdr-abc") == "::add-mask::xdr-abc\n");
  CHECK(*GitHubMaskLine("a%b") == "::add-mask::a%25b\n");
  // Decoded by the runner, %0A and %25 would become other text to mask.
  CHECK(*GitHubMaskLine("x%0Ay%25z%0D") == "::add-mask::x%250Ay%2525z%250D\n");
  CHECK(*GitHubMaskLine("::a::b,c;d]e") == "::add-mask::::a::b,c;d]e\n");
  CHECK(*GitHubMaskLine("sp ace") == "::add-mask::sp ace\n");
}

TEST_CASE("GitHubEnvBlock: NAME<<DELIMITER, the value, DELIMITER") {
  auto block = GitHubEnvBlock("XDR_TOKEN", "xdr-abc", Bytes({0x00}));
  REQUIRE(block.ok());
  CHECK(*block == "\nXDR_TOKEN<<" + Delimiter('0') + "\nxdr-abc\n" + Delimiter('0') + "\n");
  std::vector<unsigned char> mixed(kDelimiterBytes);
  for (size_t i = 0; i < mixed.size(); ++i) mixed[i] = static_cast<unsigned char>(0x0f + 0x10 * i);
  block = GitHubEnvBlock("T", "v", mixed);
  REQUIRE(block.ok());
  CHECK(*block == "\nT<<ghadelimiter_0f1f2f3f4f5f6f7f8f9fafbfcfdfefff\nv\n"
                  "ghadelimiter_0f1f2f3f4f5f6f7f8f9fafbfcfdfefff\n");
  // Only the whole candidates count.
  std::vector<unsigned char> more = Bytes({0xaa});
  more.push_back(0x01);
  block = GitHubEnvBlock("T", "v", more);
  REQUIRE(block.ok());
  CHECK(block->find(Delimiter('a')) != std::string::npos);
}

TEST_CASE("GitHubEnvBlock rejects a delimiter the value holds and tries the next") {
  std::string value = "before" + Delimiter('0') + "after";
  auto block = GitHubEnvBlock("T", value, Bytes({0x00, 0x11}));
  REQUIRE(block.ok());
  CHECK(*block == "\nT<<" + Delimiter('1') + "\n" + value + "\n" + Delimiter('1') + "\n");
  // A value that is exactly the delimiter could end its block early.
  block = GitHubEnvBlock("T", Delimiter('2'), Bytes({0x22, 0x33}));
  REQUIRE(block.ok());
  CHECK(block->find("<<" + Delimiter('3') + "\n") != std::string::npos);
  // Every candidate in the value: no block at all.
  block = GitHubEnvBlock("T", Delimiter('4') + Delimiter('5'), Bytes({0x44, 0x55}));
  REQUIRE_FALSE(block.ok());
  CHECK(block.error().kind == ErrorKind::kInternal);
  // Too few random bytes for one delimiter.
  std::vector<unsigned char> few(kDelimiterBytes - 1);
  block = GitHubEnvBlock("T", "v", few);
  REQUIRE_FALSE(block.ok());
  CHECK(block.error().kind == ErrorKind::kInternal);
  block = GitHubEnvBlock("PATH", "v", Bytes({0x00}));
  REQUIRE_FALSE(block.ok());
  CHECK(block.error().kind == ErrorKind::kUsage);
}

TEST_CASE("GitLabMaskProblem follows Ci::Maskable::REGEX") {
  CHECK(GitLabMaskProblem("12345678") == "");
  CHECK(GitLabMaskProblem("xdr-Zm9v_YmFy") == "");
  CHECK(GitLabMaskProblem("aZ09_+=/@:.~-") == "");
  CHECK(GitLabMaskProblem("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln") == "");
  CHECK(GitLabMaskProblem("") == "it is shorter than 8 characters");
  CHECK(GitLabMaskProblem("1234567") == "it is shorter than 8 characters");
  for (std::string c : {" ", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", ",", ";", "<", ">", "?", "[", "\\",
                        "]", "^", "`", "{", "|", "}", "\xc3\xa9"}) {
    CAPTURE(c);
    std::string value = "abcdefgh" + c;
    std::string problem = GitLabMaskProblem(value);
    CHECK(problem == "it holds characters other than A-Z a-z 0-9 _ + = / @ : . ~ -");
  }
  CHECK(GitLabMaskProblem("a b") ==
        "it is shorter than 8 characters and holds characters other than A-Z a-z 0-9 _ + = / @ : . ~ -");
}
