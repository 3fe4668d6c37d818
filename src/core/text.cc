#include "text.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <vector>

namespace tokex {

namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Appends TerminalSafe of the longest prefix of `s` whose result fits in
// `max` bytes without splitting a character; returns the bytes of `s` used.
size_t AppendTerminalSafe(std::string_view s, size_t max, std::string* out) {
  size_t used = 0, written = 0;
  while (used < s.size()) {
    CharInfo c = FirstChar(s.substr(used));
    bool keep = c.length > 0 && !c.control;
    if (written + (keep ? c.length : 1) > max) break;
    if (keep) {
      out->append(s.substr(used, c.length));
      written += c.length;
    } else {
      out->push_back('?');
      ++written;
    }
    used += std::max<size_t>(c.length, 1);
  }
  return used;
}

}  // namespace

std::string_view Suggest(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates,
                       std::string_view prefix) {
  std::string_view s = Suggest(word, candidates);
  if (s.empty()) return {};
  return ": did you mean '" + std::string(prefix) + std::string(s) + "'?";
}

std::string ChoiceHint(std::string_view word, std::span<const std::string_view> candidates) {
  std::string hint = DidYouMean(word, candidates);
  return hint.empty() ? ": use " + JoinOr(candidates) : hint;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string EnvNameWord(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
    else out += '_';
  }
  return out;
}

std::string JoinOr(std::span<const std::string_view> words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s, int64_t min, int64_t max) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end || v < min || v > max) return std::nullopt;
  return v;
}

std::optional<bool> ParseBool(std::string_view s) {
  std::string l = AsciiLower(s);
  if (l == "yes" || l == "true" || l == "on" || l == "1") return true;
  if (l == "no" || l == "false" || l == "off" || l == "0") return false;
  return std::nullopt;
}

CharInfo FirstChar(std::string_view s) {
  if (s.empty()) return {0, false};
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return {1, lead < 0x20 || lead == 0x7f};
  size_t n = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (n == 0 || s.size() < n) return {0, false};
  // The second byte's range is what rules out overlong forms (E0, F0),
  // surrogates (ED) and code points past U+10FFFF (F4).
  unsigned char low = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : 0x80;
  unsigned char high = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : 0xbf;
  if (byte(1) < low || byte(1) > high) return {0, false};
  for (size_t i = 2; i < n; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return {0, false};
  }
  return {n, lead == 0xc2 && byte(1) <= 0x9f};
}

std::string TerminalSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendTerminalSafe(s, std::string_view::npos, &out);
  return out;
}

std::string Printable(std::string_view s, size_t max) {
  std::string out;
  if (AppendTerminalSafe(s, max, &out) < s.size()) out += "...";
  return out;
}

uint64_t Fnv1a64(std::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string HumanDuration(int64_t seconds) {
  std::string sign = seconds < 0 ? "-" : "";
  int64_t s = seconds < 0 ? -seconds : seconds;
  if (s >= 86400) return sign + std::to_string(s / 86400) + "d " + std::to_string(s % 86400 / 3600) + "h";
  if (s >= 3600) return sign + std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
  if (s >= 60) return sign + std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  return sign + std::to_string(s) + "s";
}

std::string Rfc3339(int64_t unix_time) {
  time_t t = static_cast<time_t>(unix_time);
  struct tm tm_utc {};
  gmtime_r(&t, &tm_utc);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
  return buf;
}

}  // namespace tokex
