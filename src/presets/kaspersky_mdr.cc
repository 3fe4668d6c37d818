// Kaspersky MDR: a refresh token made in the MDR Web Console, exchanged at
// /api/v1/{client_id}/session/confirm for an access token and the next
// refresh token. Seed 000, "Creating an access token in MDR Web Console",
// and its Python and shell examples, followed step by step.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>

#include "exchange.h"
#include "json.h"
#include "rotation.h"
#include "secret.h"
#include "token_response.h"

namespace tokex {

namespace {

constexpr std::string_view kSecret = "refresh-token";

// Steps 1-6 of the seed: only a person in the console can make a refresh
// token, so an expired or refused one has this one remedy.
std::string NewTokenFix(const Profile& p) {
  return "make a new one in the MDR Web Console (Settings, API tab: the token's Refresh button) and store it with "
         "'tokex secret set " +
         p.name + " refresh-token'";
}

// {"refresh_token": VALUE}, the body of the seed's examples. The writer's
// buffer is sized so that it never reallocates (and so never frees a copy
// of the token unwiped), then wiped once copied.
std::string ConfirmBody(const Secret& refresh) {
  rapidjson::StringBuffer sb(nullptr, 2 * refresh.size() + 32);
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("refresh_token");
  w.String(refresh.view().data(), static_cast<rapidjson::SizeType>(refresh.size()));
  w.EndObject();
  std::string body(sb.GetString(), sb.GetSize());
  WipeBytes(const_cast<char*>(sb.GetString()), sb.GetSize());
  return body;
}

// Step 7: POST the refresh token as JSON. The answer is
// {"access_token", "refresh_token"} with no expires_in: the access token's
// own exp says when it ends (ParseTokenAnswer reads it).
Result<HttpRequest> Confirm(ExchangeContext& ctx, const Secret& refresh) {
  HttpRequest request = TokenRequest(ctx.profile);
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "application/json");
  request.body = ConfirmBody(refresh);
  return request;
}

}  // namespace

Result<Credential> ExchangeKasperskyMdr(ExchangeContext& ctx) {
  // "It is necessary to save the refresh token in order to obtain next
  // access token": the one sent is dead, so ExchangeRotating stores the
  // new one before the access token is used, and refuses an expired one
  // (the seed's own exp check) before anything is spent.
  std::string fix = NewTokenFix(ctx.profile);
  Result<TokenAnswer> answer =
      ExchangeRotating(ctx, kSecret, fix, [&fix](std::string_view) { return fix; }, Confirm);
  if (!answer) return answer.error();
  return std::move(answer->credential);
}

}  // namespace tokex
