// Small string helpers shared by the parsers and the command line.
#ifndef TOKEX_TEXT_H_
#define TOKEX_TEXT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tokex {

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a plausible typo; otherwise empty.
std::string_view Suggest(std::string_view word, std::span<const std::string_view> candidates);

/// ": did you mean 'PREFIXcandidate'?" for the candidate closest to `word`
/// when it is a plausible typo (see Suggest); otherwise empty. The one way
/// every message offers a correction.
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates,
                       std::string_view prefix = {});

/// DidYouMean when a candidate is close to `word`, otherwise ": use " and
/// every candidate (JoinOr): the end of an "unknown X 'word'" message.
std::string ChoiceHint(std::string_view word, std::span<const std::string_view> candidates);

/// "a, b or c".
std::string JoinOr(std::span<const std::string_view> words);

/// Parses a whole decimal integer in [min, max]; nullopt otherwise.
std::optional<int64_t> ParseInt(std::string_view s, int64_t min, int64_t max);

/// `s` with A-Z lowered; other bytes as they are, whatever the locale.
std::string AsciiLower(std::string_view s);

/// `s` as part of an environment variable name: ASCII letters upper-cased,
/// digits kept, anything else '_' ("ci.prod-1" becomes "CI_PROD_1").
std::string EnvNameWord(std::string_view s);

/// Parses yes/no, true/false, on/off, 1/0 (case-insensitive).
std::optional<bool> ParseBool(std::string_view s);

/// The first character of a text.
struct CharInfo {
  /// Its length in bytes when it is valid UTF-8 (RFC 3629: no overlong
  /// forms, surrogates or code points past U+10FFFF); 0 when the text is
  /// empty or starts with a byte that is not part of valid UTF-8.
  size_t length;
  /// Whether it is a control character: C0 (TAB, CR and LF included), DEL
  /// or C1 (U+0080 to U+009F).
  bool control;
};

/// What `s` starts with.
CharInfo FirstChar(std::string_view s);

/// `s` made safe for one line of a terminal: every control character (C0,
/// DEL, C1) becomes one '?', and so does every byte that is not part of
/// valid UTF-8; any other UTF-8 text is kept. The one sanitiser for what
/// tokex echoes: error lines, notices, `status` lines and quoted server text.
std::string TerminalSafe(std::string_view s);

/// TerminalSafe(s) cut at a character boundary to at most `max` bytes, with
/// "..." when cut, for quoting a server's text or a user's word in a message.
std::string Printable(std::string_view s, size_t max = 200);

/// 64-bit FNV-1a, used to key caches on settings (never on secrets).
uint64_t Fnv1a64(std::string_view data, uint64_t seed = 0xcbf29ce484222325ULL);

/// Seconds as "1h 2m", "5m 3s", "42s".
std::string HumanDuration(int64_t seconds);

/// Unix time as "2026-11-23T05:35:22Z".
std::string Rfc3339(int64_t unix_time);

}  // namespace tokex

#endif  // TOKEX_TEXT_H_
