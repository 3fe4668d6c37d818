#include "preset_registry.h"

#include <array>

namespace tokex {

// Each defined in its own file, named after the preset.
Result<Credential> ExchangeCiscoXdr(ExchangeContext& ctx);
Result<Credential> ExchangeOauth2(ExchangeContext& ctx);

namespace {

constexpr std::array kExchanges = {
    PresetExchange{"cisco-xdr", ExchangeCiscoXdr},
    PresetExchange{"oauth2", ExchangeOauth2},
};

}  // namespace

std::span<const PresetExchange> PresetExchanges() { return kExchanges; }

}  // namespace tokex
