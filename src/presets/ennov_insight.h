// Ennov InSight's session login (seed 004, steps 2 to 4): the answers of
// its two session endpoints, parsed apart from the exchange so that they
// can be tested and fuzzed alone.
#ifndef TOKEX_ENNOV_INSIGHT_H_
#define TOKEX_ENNOV_INSIGHT_H_

#include <string>
#include <string_view>

#include "http.h"
#include "result.h"
#include "secret.h"

namespace tokex {

/// A session as the server describes it: its id (the JSESSIONID cookie's
/// value) and the CSRF token that goes with it.
struct InsightSession {
  Secret id;
  Secret csrf_token;
  std::string csrf_header = "X-CSRF-TOKEN";  ///< the server's X-CSRF-HEADER
  std::string csrf_param = "_csrf";          ///< the server's X-CSRF-PARAM
  std::string cookie_path;                   ///< a Set-Cookie's Path, if any
};

/// The answer of GET {base}/api/v2/token: a JSON body {"xAuthToken": ID}
/// and the headers X-CSRF-TOKEN (required), X-CSRF-HEADER and X-CSRF-PARAM.
/// Errors: a non-2xx status as ErrorFromResponse says, anything unusable
/// a kNetwork error naming `host`. Does no I/O.
Result<InsightSession> ParseSessionStart(const HttpResponse& response, std::string_view host);

/// The answer of POST {base}/api/v2/login for `session`: the new
/// X-CSRF-TOKEN (required) and, when a Set-Cookie carries one, a new
/// JSESSIONID (and its Path). Errors as ParseSessionStart. Does no I/O.
Result<InsightSession> ParseSessionLogin(const HttpResponse& response, InsightSession session, std::string_view host);

}  // namespace tokex

#endif  // TOKEX_ENNOV_INSIGHT_H_
