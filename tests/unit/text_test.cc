// The one sanitiser for terminal text and the check that keeps control
// characters and invalid UTF-8 out of secrets, headers and config values.
#include "text.h"

#include <doctest/doctest.h>

#include <string>

#include "secret.h"

using tokex::HasControlChars;
using tokex::Printable;
using tokex::TerminalSafe;

TEST_CASE("TerminalSafe keeps printable text, UTF-8 included") {
  CHECK(TerminalSafe("") == "");
  CHECK(TerminalSafe("plain ASCII ~!") == "plain ASCII ~!");
  std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91 \xc2\xa0";  // é, €, a key emoji, no-break space
  CHECK(TerminalSafe(utf8) == utf8);
  CHECK(TerminalSafe("\xf4\x8f\xbf\xbf") == "\xf4\x8f\xbf\xbf");  // U+10FFFF, the last code point
}

TEST_CASE("TerminalSafe replaces C0, DEL and C1 controls with '?'") {
  CHECK(TerminalSafe("a\nb\rc\td") == "a?b?c?d");
  CHECK(TerminalSafe(std::string("a\0b", 3)) == "a?b");
  CHECK(TerminalSafe("\x1b[31mred\x1b[0m") == "?[31mred?[0m");
  CHECK(TerminalSafe("a\x7f") == "a?");
  CHECK(TerminalSafe("a\xc2\x85z") == "a?z");       // U+0085 NEL: one character, one '?'
  CHECK(TerminalSafe("\xc2\x9b" "2J") == "?2J");   // U+009B CSI
  CHECK(TerminalSafe("\xc2\x80\xc2\x9f\xc2\xa0") == "??\xc2\xa0");
}

TEST_CASE("TerminalSafe replaces each byte that is not valid UTF-8 with '?'") {
  CHECK(TerminalSafe("a\xff") == "a?");
  CHECK(TerminalSafe("\x80z") == "?z");              // a lone continuation byte
  CHECK(TerminalSafe("\xc3") == "?");                // cut short at the end
  CHECK(TerminalSafe("\xc3z") == "?z");              // cut short before ASCII
  CHECK(TerminalSafe("\xc0\xaf") == "??");           // overlong '/'
  CHECK(TerminalSafe("\xe0\x80\xaf") == "???");      // overlong, three bytes
  CHECK(TerminalSafe("\xed\xa0\x80") == "???");      // a UTF-16 surrogate
  CHECK(TerminalSafe("\xf4\x90\x80\x80") == "????");  // past U+10FFFF
  CHECK(TerminalSafe("\xf5\x80\x80\x80") == "????");
}

TEST_CASE("Printable is TerminalSafe cut at a character boundary") {
  CHECK(Printable("line\nbreak") == "line?break");
  CHECK(Printable("abcdef", 3) == "abc...");
  CHECK(Printable("abc", 3) == "abc");
  CHECK(Printable("ab\xc3\xa9", 3) == "ab...");     // never half of "é"
  CHECK(Printable("ab\xc3\xa9", 4) == "ab\xc3\xa9");
  CHECK(Printable("\x1b\x1b\x1b\x1b", 2) == "??...");
  CHECK(Printable("a\xc2\x9b", 2) == "a?");        // max counts what is written
  CHECK(Printable("a\xc2\x9b" "b", 2) == "a?...");
}

TEST_CASE("HasControlChars refuses C0, DEL, C1 and invalid UTF-8, and nothing else") {
  CHECK_FALSE(HasControlChars(""));
  CHECK_FALSE(HasControlChars("eyJhbGciOi.J9-_~+/="));
  CHECK_FALSE(HasControlChars("caf\xc3\xa9 \xf0\x9f\x94\x91"));
  for (std::string bad : {std::string("a\r\nb"), std::string("a\tb"), std::string("a\0b", 3), std::string("a\x7f"),
                          std::string("a\xc2\x85"), std::string("a\xc2\x9b"), std::string("a\xff"),
                          std::string("a\xc3"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80")}) {
    CAPTURE(bad);
    CHECK(HasControlChars(bad));
  }
}

TEST_CASE("PEM text: BEGIN first, END last, no control characters inside a line") {
  CHECK(tokex::IsPemText("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
  CHECK(tokex::IsPemText("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n"));
  CHECK_FALSE(tokex::IsPemText("-----BEGIN CERTIFICATE-----\nMIIB"));
  CHECK_FALSE(tokex::IsPemText("x\n-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"));
  CHECK_FALSE(tokex::IsPemText("-----BEGIN CERTIFICATE-----\nMI\tIB\n-----END CERTIFICATE-----"));
  CHECK(tokex::IsUsableSecret("private-key", "-----BEGIN K-----\nA\n-----END K-----"));
  CHECK_FALSE(tokex::IsUsableSecret("refresh-token", "-----BEGIN K-----\nA\n-----END K-----"));
  CHECK(tokex::IsUsableSecret("refresh-token", "eyJ.abc.def"));
}
