// Kaspersky MDR: not written yet.
#include "exchange.h"

namespace tokex {

Result<Credential> ExchangeKasperskyMdr(ExchangeContext&) {
  return MakeError(ErrorKind::kInternal, "the kaspersky-mdr preset is not written yet");
}

}  // namespace tokex
