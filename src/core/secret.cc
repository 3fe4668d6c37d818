#include "secret.h"

#include <string.h>

#include "text.h"

namespace tokex {

void WipeBytes(void* p, size_t n) {
  if (p != nullptr && n != 0) explicit_bzero(p, n);
}

void WipeString(std::string* s) {
  // Spare capacity may still hold bytes of a longer earlier value.
  s->resize(s->capacity());
  WipeBytes(s->data(), s->size());
  s->clear();
}

Secret::Secret(std::string_view bytes) {
  // Reserve first so the bytes are never copied by a reallocation.
  bytes_.reserve(bytes.size());
  bytes_.assign(bytes.data(), bytes.size());
}

Secret::Secret(const Secret& other) : Secret(other.view()) {}

Secret::Secret(Secret&& other) noexcept : Secret(other.view()) {
  WipeString(&other.bytes_);
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    WipeString(&bytes_);
    bytes_.reserve(other.bytes_.size());
    bytes_.assign(other.bytes_);
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    *this = static_cast<const Secret&>(other);
    WipeString(&other.bytes_);
  }
  return *this;
}

Secret::~Secret() { WipeString(&bytes_); }

bool HasControlChars(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    CharInfo c = FirstChar(s.substr(i));
    if (c.length == 0 || c.control) return true;
    i += c.length;
  }
  return false;
}

bool IsPemText(std::string_view s) {
  if (!s.starts_with("-----BEGIN ")) return false;
  std::string_view last;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (HasControlChars(line)) return false;
    last = line;
    s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
  }
  return last.starts_with("-----END ");
}

bool IsUsableSecret(std::string_view name, std::string_view value) {
  return !HasControlChars(value) || (name == "private-key" && IsPemText(value));
}

}  // namespace tokex
