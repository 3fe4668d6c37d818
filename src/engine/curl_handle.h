// RAII owners for libcurl handles.
#ifndef TOKEX_CURL_HANDLE_H_
#define TOKEX_CURL_HANDLE_H_

#include <curl/curl.h>

#include <cstring>
#include <memory>

#include "secret.h"

namespace tokex {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
/// Header lists can carry credentials (Basic auth): wiped before freeing.
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const {
    for (curl_slist* node = l; node != nullptr; node = node->next) WipeBytes(node->data, strlen(node->data));
    curl_slist_free_all(l);
  }
};
struct CurlFreeDeleter {
  void operator()(char* p) const { curl_free(p); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlString = std::unique_ptr<char, CurlFreeDeleter>;

}  // namespace tokex

#endif  // TOKEX_CURL_HANDLE_H_
