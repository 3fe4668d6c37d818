#include "crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

namespace tokex {

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Base64Url(std::string_view data) {
  std::string out = Base64(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return out;
}

bool DecodeBase64Url(std::string_view text, std::string* out) {
  // Padding may only end the text: EVP_DecodeBlock would take a '=' anywhere
  // else as zero bits and accept "=Zg" or "Zg==Zg".
  for (int i = 0; i < 2 && text.ends_with('='); ++i) text.remove_suffix(1);
  if (text.find('=') != std::string_view::npos || text.size() % 4 == 1) return false;
  std::string b64(text);
  for (char& c : b64) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/') return false;
  }
  while (b64.size() % 4 != 0) b64 += '=';
  std::string decoded(b64.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return false;
  size_t pad = 0;
  for (size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) ++pad;
  if (pad > 2) return false;
  decoded.resize(static_cast<size_t>(n) - pad);
  *out = std::move(decoded);
  return true;
}

std::string Sha256(std::string_view data) {
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()), &n, EVP_sha256(),
                 nullptr) != 1) {
    // Only an allocation failure gets here; a stale error would confuse libcurl's TLS later.
    ERR_clear_error();
    return {};
  }
  digest.resize(n);
  return digest;
}

Result<std::string> HmacSha256(const Secret& key, std::string_view data) {
  if (key.size() > INT_MAX) {
    return MakeError(ErrorKind::kInternal, "the HMAC key is larger than libcrypto accepts: use a shorter secret");
  }
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  unsigned int n = 0;
  // The one-shot call reads the key in place, so no copy of it is left to wipe.
  if (HMAC(EVP_sha256(), key.view().data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(mac.data()), &n) == nullptr) {
    ERR_clear_error();
    return MakeError(ErrorKind::kInternal,
                     "libcrypto could not compute an HMAC-SHA-256: check the OpenSSL installation");
  }
  mac.resize(n);
  return mac;
}

}  // namespace tokex
