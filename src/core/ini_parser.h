// A git-config-like INI parser: sections, subsections, key = value.
#ifndef TOKEX_INI_PARSER_H_
#define TOKEX_INI_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace tokex {

/// One `key = value` line. Keys are lower-cased (they are case-insensitive,
/// as in git config); values have quotes and escapes resolved and inline
/// comments removed.
struct IniEntry {
  std::string key;
  std::string value;
  int line = 0;
};

/// `[name "subsection"]` and the entries under it, in file order.
struct IniSection {
  std::string name;        ///< lower-cased
  std::string subsection;  ///< case-sensitive, may be empty
  bool has_subsection = false;
  int line = 0;
  std::vector<IniEntry> entries;
};

/// A whole file: its sections in file order. A section header that appears
/// twice gives two sections; merging them is the caller's business.
struct IniDocument {
  std::vector<IniSection> sections;
};

/// Parses `text`. On failure returns a kUsage error whose message starts
/// with "SOURCE:LINE: ". Comments start with '#' or ';' at the start of a
/// line or after whitespace outside quotes. Does no I/O.
Result<IniDocument> ParseIni(std::string_view text, std::string_view source);

}  // namespace tokex

#endif  // TOKEX_INI_PARSER_H_
