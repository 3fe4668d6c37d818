#include "crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <memory>

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

bool DecodeBase64(std::string_view text, std::string* out) {
  if (text.find_first_of("-_") != std::string_view::npos || text.size() % 4 != 0) return false;
  std::string_view unpadded = text;
  for (int i = 0; i < 2 && unpadded.ends_with('='); ++i) unpadded.remove_suffix(1);
  // DecodeBase64Url checks what EVP_DecodeBlock lets through; '+' and '/'
  // are this alphabet's.
  std::string url(unpadded);
  for (char& c : url) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  bool ok = DecodeBase64Url(url, out);
  WipeString(&url);
  return ok;
}

namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// A context set up for AES-256-GCM with `key`, `nonce` and `aad`, to
// encrypt or decrypt; null when libcrypto fails or a size is wrong.
CipherCtx GcmContext(bool encrypt, const Secret& key, std::string_view nonce, std::string_view aad) {
  if (key.size() != kAesGcmKeyBytes || nonce.size() != kAesGcmNonceBytes || aad.size() > INT_MAX) return nullptr;
  CipherCtx c(EVP_CIPHER_CTX_new());
  auto k = reinterpret_cast<const unsigned char*>(key.view().data());
  auto iv = reinterpret_cast<const unsigned char*>(nonce.data());
  int n = 0;
  if (!c || EVP_CipherInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, k, iv, encrypt ? 1 : 0) != 1 ||
      EVP_CipherUpdate(c.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                       static_cast<int>(aad.size())) != 1)
    return nullptr;
  return c;
}

}  // namespace

Result<std::string> SealAesGcm(const Secret& key, std::string_view nonce, std::string_view aad,
                               std::string_view plaintext) {
  CipherCtx c = plaintext.size() > INT_MAX / 2 ? nullptr : GcmContext(true, key, nonce, aad);
  std::string out(plaintext.size() + kAesGcmTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int n = 0, m = 0;
  if (!c ||
      EVP_CipherUpdate(c.get(), o, &n, reinterpret_cast<const unsigned char*>(plaintext.data()),
                       static_cast<int>(plaintext.size())) != 1 ||
      EVP_CipherFinal_ex(c.get(), o + n, &m) != 1 || static_cast<size_t>(n + m) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagBytes, o + plaintext.size()) != 1) {
    ERR_clear_error();
    WipeString(&out);
    return MakeError(ErrorKind::kInternal, "libcrypto could not encrypt with AES-256-GCM: check the OpenSSL installation");
  }
  return out;
}

std::optional<Secret> OpenAesGcm(const Secret& key, std::string_view nonce, std::string_view aad,
                                 std::string_view sealed) {
  if (sealed.size() < kAesGcmTagBytes || sealed.size() > INT_MAX / 2) return std::nullopt;
  CipherCtx c = GcmContext(false, key, nonce, aad);
  size_t size = sealed.size() - kAesGcmTagBytes;
  std::string tag(sealed.substr(size));
  std::string out(size, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int n = 0, m = 0;
  bool ok = c &&
            EVP_CipherUpdate(c.get(), o, &n, reinterpret_cast<const unsigned char*>(sealed.data()),
                             static_cast<int>(size)) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagBytes, tag.data()) == 1 &&
            EVP_CipherFinal_ex(c.get(), o + n, &m) == 1;
  ERR_clear_error();
  std::optional<Secret> plain;
  if (ok) plain = Secret(std::string_view(out).substr(0, static_cast<size_t>(n + m)));
  WipeString(&out);
  return plain;
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
