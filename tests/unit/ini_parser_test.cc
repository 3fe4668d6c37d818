#include "ini_parser.h"

#include <doctest/doctest.h>

using tokex::IniDocument;
using tokex::ParseIni;

TEST_CASE("sections, subsections and values") {
  auto doc = ParseIni(
      "# comment\n"
      "[profile \"xdr\"]\n"
      "    preset    = cisco-xdr\n"
      "    Region=eu   # us (default) | eu | apjc\n"
      "\n"
      "; another comment\n"
      "[profile \"a b\\\"c\"]\n"
      "match = https://a/#frag https://b/\n",
      "cfg");
  REQUIRE(doc.ok());
  REQUIRE(doc->sections.size() == 2);
  const auto& s0 = doc->sections[0];
  CHECK(s0.name == "profile");
  CHECK(s0.subsection == "xdr");
  CHECK(s0.line == 2);
  REQUIRE(s0.entries.size() == 2);
  CHECK(s0.entries[0].key == "preset");
  CHECK(s0.entries[0].value == "cisco-xdr");
  CHECK(s0.entries[1].key == "region");
  CHECK(s0.entries[1].value == "eu");
  CHECK(s0.entries[1].line == 4);
  CHECK(doc->sections[1].subsection == "a b\"c");
  CHECK(doc->sections[1].entries[0].value == "https://a/#frag https://b/");
}

TEST_CASE("quoted values keep spaces and comment characters") {
  auto doc = ParseIni("[p \"x\"]\nscopes = \" a # b ; c \"\nempty =\nesc = \"x\\\\y\"\n", "cfg");
  REQUIRE(doc.ok());
  const auto& e = doc->sections[0].entries;
  CHECK(e[0].value == " a # b ; c ");
  CHECK(e[1].value == "");
  CHECK(e[2].value == "x\\y");
}

TEST_CASE("errors name the source and line") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"key = v\n", "cfg:1: key 'key' is outside any [section]"},
      {"[p \"x\"]\nnovalue\n", "cfg:2: key 'novalue': expected '=' after the key"},
      {"[p \"x\"\n", "cfg:1: section header has no closing ']'"},
      {"[p x]\n", "cfg:1: subsection name must be in double quotes, as in [profile \"name\"]"},
      {"[p \"x\"]\nk = \"open\n", "cfg:2: value has an unterminated quote"},
      {"[p \"x\"]\nk = a\\q\n", "cfg:2: unknown escape '\\q' in value"},
      {"[p \"x\"]\n= v\n", "cfg:2: expected '[section]' or 'key = value'"},
      {"[]\n", "cfg:1: section header has no name"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto doc = ParseIni(c.text, "cfg");
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().kind == tokex::ErrorKind::kUsage);
    CHECK(doc.error().message == c.message);
  }
}

TEST_CASE("NUL bytes are refused") {
  std::string text("[p \"x\"]\nk = a\0b\n", 16);
  auto doc = ParseIni(text, "cfg");
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().message == "cfg:2: NUL byte in config");
}
