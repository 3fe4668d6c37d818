// RAII owners for OpenSSL objects.
#ifndef TOKEX_OSSL_HANDLE_H_
#define TOKEX_OSSL_HANDLE_H_

#include <openssl/evp.h>

#include <memory>

namespace tokex {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

using EvpPkey = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpMdCtx = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;

}  // namespace tokex

#endif  // TOKEX_OSSL_HANDLE_H_
