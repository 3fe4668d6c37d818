// A long-lived secret or a token: wiped on destruction, never printable.
#ifndef TOKEX_SECRET_H_
#define TOKEX_SECRET_H_

#include <string>
#include <string_view>

namespace tokex {

/// Overwrites `n` bytes at `p` in a way the compiler may not elide.
void WipeBytes(void* p, size_t n);

/// Wipes the characters of `s` (including spare capacity) and clears it.
void WipeString(std::string* s);

/// Holds secret bytes. The bytes are wiped when the Secret is destroyed or
/// reassigned. There is deliberately no operator<< and no implicit
/// conversion to std::string: reading the bytes takes an explicit `view()`.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string_view bytes);
  Secret(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  std::string_view view() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }
  size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

/// True when `s` holds a control character (C0 including TAB, CR and LF;
/// DEL; C1, U+0080 to U+009F) or bytes that are not valid UTF-8: what must
/// never reach an HTTP header, a curl config line, a helper protocol or a
/// terminal. The one check for config values, typed and stored secrets and
/// everything a server sends for a credential (see FirstChar in text.h).
bool HasControlChars(std::string_view s);

/// True when `s` is PEM text (RFC 7468), such as a private key: lines
/// ended by LF (or CR LF), the first "-----BEGIN ...", the last
/// "-----END ...", and no line with a control character or invalid UTF-8.
bool IsPemText(std::string_view s);

/// True when `value` is usable as the secret `name`: text without control
/// characters or invalid UTF-8, since it may go into a header or a form;
/// a `private-key` may also be PEM text, whose line breaks never reach a
/// header (it is only ever parsed as a key).
bool IsUsableSecret(std::string_view name, std::string_view value);

}  // namespace tokex

#endif  // TOKEX_SECRET_H_
