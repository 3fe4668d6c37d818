// BlackBerry Cylance: not written yet.
#include "exchange.h"

namespace tokex {

Result<Credential> ExchangeCylance(ExchangeContext&) {
  return MakeError(ErrorKind::kInternal, "the cylance preset is not written yet");
}

}  // namespace tokex
