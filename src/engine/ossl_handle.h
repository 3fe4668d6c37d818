// RAII owners for OpenSSL libcrypto objects.
#ifndef TOKEX_OSSL_HANDLE_H_
#define TOKEX_OSSL_HANDLE_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace tokex {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};

using Bio = std::unique_ptr<BIO, BioDeleter>;
using EvpMdCtx = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

}  // namespace tokex

#endif  // TOKEX_OSSL_HANDLE_H_
