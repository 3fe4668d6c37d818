// etcd's v3 API as its JSON gateway speaks it (POST /v3/kv/range and the
// like; keys and values base64, 64-bit numbers as strings): request bodies
// and parsers of the answers, without any I/O, for the etcd store.
#ifndef TOKEX_ETCD_GATEWAY_H_
#define TOKEX_ETCD_GATEWAY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "secret.h"

namespace tokex {

/// One key and its value, as a range answer lists it.
struct EtcdKv {
  std::string key;
  std::string value;  ///< may hold a sealed secret: wiped by the owner
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;
};

/// What every answer's header says: who answered, at which revision.
struct EtcdHeader {
  uint64_t member_id = 0;
  int64_t revision = 0;
};

/// The answer to a range request.
struct EtcdRange {
  EtcdHeader header;
  std::vector<EtcdKv> kvs;  ///< by key
};

/// The answer to /v3/maintenance/status.
struct EtcdStatus {
  EtcdHeader header;
  std::string version;
  uint64_t leader = 0;
};

/// A member of the cluster, as /v3/cluster/member/list lists it.
struct EtcdMember {
  uint64_t id = 0;
  std::string name;
};

/// A linearizable read of `key`, or of every key under it with `prefix`.
std::string EtcdRangeRequest(std::string_view key, bool prefix);

/// A put of `value` at `key`, attached to `lease` when not 0.
std::string EtcdPutRequest(std::string_view key, std::string_view value, int64_t lease = 0);

/// A transaction that puts `value` at `key` only if the key was last
/// modified at `mod_revision` (0: only if the key does not exist), and
/// otherwise reads it.
std::string EtcdCompareAndPutRequest(std::string_view key, std::string_view value, int64_t mod_revision);

/// A delete of `key`.
std::string EtcdDeleteRequest(std::string_view key);

/// A lease of `ttl` seconds.
std::string EtcdLeaseGrantRequest(int64_t ttl);

/// The body that names lease `id`, for keepalive and revoke.
std::string EtcdLeaseRequest(int64_t id);

/// The lock called `name`, held with `lease`.
std::string EtcdLockRequest(std::string_view name, int64_t lease);

/// A sign-in as `user` with `password`; the caller wipes the body.
std::string EtcdAuthRequest(std::string_view user, const Secret& password);

/// Parsers of the answers. Errors are kStore with what was wrong, for an
/// answer that is not what etcd sends; `body` is never quoted (a value may
/// be sealed secret bytes, an auth answer a token).
Result<EtcdRange> ParseEtcdRange(std::string_view body);
/// Whether the transaction's comparison held; on failure, the range it read.
Result<bool> ParseEtcdTxn(std::string_view body, EtcdRange* read);
Result<EtcdHeader> ParseEtcdHeader(std::string_view body);
/// The lease's ID and TTL, for grant and keepalive (a TTL of 0 or less:
/// the lease is gone).
struct EtcdLease {
  int64_t id = 0;
  int64_t ttl = 0;
};
Result<EtcdLease> ParseEtcdLease(std::string_view body);
/// The lock's holder key.
Result<std::string> ParseEtcdLock(std::string_view body);
/// The auth token; wiped by the owner.
Result<Secret> ParseEtcdAuth(std::string_view body);
Result<EtcdStatus> ParseEtcdStatus(std::string_view body);
Result<std::vector<EtcdMember>> ParseEtcdMembers(std::string_view body);

/// etcd's own words in an error answer ({"error": ..., "message": ...}),
/// printable and short; empty when the body has none.
std::string EtcdErrorMessage(std::string_view body);

}  // namespace tokex

#endif  // TOKEX_ETCD_GATEWAY_H_
