// Fuzzes the parsers of etcd's JSON gateway answers: whatever they accept
// comes back whole (no value leaks into an error, no crash on any input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "etcd_gateway.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  if (auto r = tokex::ParseEtcdRange(body); r.ok()) {
    for (const tokex::EtcdKv& kv : r->kvs) {
      if (kv.key.size() > size || kv.value.size() > size) abort();  // base64 decodes smaller
    }
  } else if (r.error().message.find('\n') != std::string::npos) {
    abort();  // one line
  }
  tokex::EtcdRange read;
  (void)tokex::ParseEtcdTxn(body, &read);
  (void)tokex::ParseEtcdLease(body);
  (void)tokex::ParseEtcdLock(body);
  if (auto a = tokex::ParseEtcdAuth(body); a.ok() && a->empty()) abort();  // a token, never empty
  (void)tokex::ParseEtcdStatus(body);
  (void)tokex::ParseEtcdMembers(body);
  if (tokex::EtcdErrorMessage(body).find('\n') != std::string::npos) abort();
  return 0;
}
