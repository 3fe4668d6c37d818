#include "ini_parser.h"

#include <cctype>

#include "text.h"

namespace tokex {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

class LineParser {
 public:
  LineParser(std::string_view source, int line) : source_(source), line_(line) {}

  Error Fail(std::string_view what) const {
    return MakeError(ErrorKind::kUsage, std::string(source_) + ":" + std::to_string(line_) +
                                            ": " + std::string(what));
  }

  // `[name]` or `[name "sub"]`; `s` has the brackets' content and the rest.
  Result<IniSection> Section(std::string_view s) const {
    s.remove_prefix(1);  // '['
    size_t close = s.rfind(']');
    if (close == std::string_view::npos) return Fail("section header has no closing ']'");
    std::string_view rest = Trim(s.substr(close + 1));
    if (!rest.empty() && rest.front() != '#' && rest.front() != ';')
      return Fail("unexpected text after section header");
    std::string_view inside = Trim(s.substr(0, close));
    size_t n = 0;
    while (n < inside.size() && IsKeyChar(inside[n])) ++n;
    if (n == 0) return Fail("section header has no name");
    IniSection section;
    section.name = AsciiLower(inside.substr(0, n));
    section.line = line_;
    std::string_view sub = Trim(inside.substr(n));
    if (sub.empty()) return section;
    if (sub.size() < 2 || sub.front() != '"' || sub.back() != '"')
      return Fail("subsection name must be in double quotes, as in [profile \"name\"]");
    sub = sub.substr(1, sub.size() - 2);
    for (size_t i = 0; i < sub.size(); ++i) {
      char c = sub[i];
      if (c == '\\' && i + 1 < sub.size()) c = sub[++i];
      else if (c == '"' || c == '\\') return Fail("bad quoting in subsection name");
      section.subsection.push_back(c);
    }
    section.has_subsection = true;
    return section;
  }

  // The value part after '=': quotes, escapes and inline comments resolved.
  Result<std::string> Value(std::string_view s) const {
    std::string out;
    bool quoted = false;
    size_t keep = 0;  // length of `out` that must survive trailing-space trim
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == '"') {
        quoted = !quoted;
        keep = out.size();
        continue;
      }
      if (!quoted && (c == '#' || c == ';') && (i == 0 || IsSpace(s[i - 1]))) break;
      if (c == '\\') {
        if (i + 1 == s.size()) return Fail("value ends with a backslash");
        char e = s[++i];
        switch (e) {
          case '\\': case '"': out.push_back(e); break;
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          default: return Fail(std::string("unknown escape '\\") + e + "' in value");
        }
        keep = out.size();
        continue;
      }
      if (!quoted && out.empty() && IsSpace(c)) continue;
      out.push_back(c);
      if (quoted || !IsSpace(c)) keep = out.size();
    }
    if (quoted) return Fail("value has an unterminated quote");
    out.resize(keep);
    return out;
  }

 private:
  std::string_view source_;
  int line_;
};

}  // namespace

Result<IniDocument> ParseIni(std::string_view text, std::string_view source) {
  IniDocument doc;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    LineParser lp(source, line_no);
    if (raw.find('\0') != std::string_view::npos) return lp.Fail("NUL byte in config");
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      Result<IniSection> section = lp.Section(line);
      if (!section) return section.error();
      doc.sections.push_back(std::move(section.value()));
      continue;
    }
    size_t n = 0;
    while (n < line.size() && IsKeyChar(line[n])) ++n;
    if (n == 0 || !std::isalpha(static_cast<unsigned char>(line[0])))
      return lp.Fail("expected '[section]' or 'key = value'");
    std::string key = AsciiLower(line.substr(0, n));
    std::string_view rest = Trim(line.substr(n));
    if (rest.empty() || rest.front() != '=')
      return lp.Fail("key '" + key + "': expected '=' after the key");
    if (doc.sections.empty()) return lp.Fail("key '" + key + "' is outside any [section]");
    Result<std::string> value = lp.Value(rest.substr(1));
    if (!value) return value.error();
    doc.sections.back().entries.push_back(IniEntry{key, std::move(value.value()), line_no});
  }
  return doc;
}

}  // namespace tokex
