// Ennov InSight: not written yet.
#include "azure_ad.h"

namespace tokex {

Result<Credential> ExchangeEnnovInsight(ExchangeContext&) {
  return MakeError(ErrorKind::kInternal, "the ennov-insight preset is not written yet");
}

}  // namespace tokex
