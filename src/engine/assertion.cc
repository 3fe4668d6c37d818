#include "assertion.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "random.h"

namespace tokex {

namespace {

constexpr size_t kMaxCertificateBytes = 256 * 1024;

// The PEM text of the profile's `certificate` file.
Result<std::string> ReadCertificate(const Profile& p, const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return InProfile(MakeError(ErrorKind::kUsage, p.Where("certificate") + ": cannot read " + path + " (" +
                                                      strerror(errno) + "): fix the path"),
                     p.name);
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 && text.size() <= kMaxCertificateBytes)
    text.append(buf, static_cast<size_t>(n));
  close(fd);
  if (n < 0 || text.size() > kMaxCertificateBytes)
    return InProfile(MakeError(ErrorKind::kUsage, p.Where("certificate") + ": " + path +
                                                      " is not a readable PEM file of at most 256 KiB"),
                     p.name);
  return text;
}

std::string ClaimsJson(const AssertionClaims& c, std::string_view jti, int64_t now) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("iss");
  str(c.issuer);
  w.Key("sub");
  str(c.subject);
  w.Key("aud");
  str(c.audience);
  w.Key("jti");
  str(jti);
  w.Key("iat");
  w.Int64(now);
  w.Key("nbf");
  w.Int64(now);
  w.Key("exp");
  w.Int64(now + c.lifetime);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace

Result<std::string> SignAssertion(ExchangeContext& ctx, const AssertionClaims& claims, JwtAlg default_alg) {
  const Profile& p = ctx.profile;
  JwtAlg alg = default_alg;
  if (auto v = p.Get("assertion-alg")) alg = *v == "RS256" ? JwtAlg::kRs256 : JwtAlg::kPs256;
  JwtHeaderFields header;
  if (auto v = p.Get("key-id")) header.kid = *v;
  if (!p.certificate.empty()) {
    Result<std::string> pem = ReadCertificate(p, p.certificate);
    if (!pem) return pem.error();
    Result<std::string> thumbprint = CertificateThumbprintS256(*pem, p.Where("certificate"));
    if (!thumbprint) return InProfile(thumbprint.error(), p.name);
    header.x5t_s256 = *thumbprint;
  }
  Result<Secret> pem = ctx.store.Get(p.name, "private-key");
  if (!pem) return pem.error();
  Result<PrivateKey> key = PrivateKey::FromPem(*pem, "the stored private-key");
  if (!key) return InProfile(key.error(), p.name);
  Result<std::string> jti = UuidV4(ctx.random);
  if (!jti) return jti.error();
  JwtKey signing{nullptr, &*key};
  return SignJwt(alg, header, ClaimsJson(claims, *jti, ctx.clock.Now()), signing);
}

}  // namespace tokex
