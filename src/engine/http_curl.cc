#include "http_curl.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctime>
#include <optional>

#include "curl_handle.h"
#include "secret.h"
#include "text.h"
#include "url.h"

namespace tokex {

namespace {

constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr long kConnectTimeoutSeconds = 10;

struct Sink {
  std::string body;
  bool too_large = false;
  std::vector<std::pair<std::string, std::string>> headers;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->body.size() + len > kMaxBodyBytes) {
    sink->too_large = true;
    return 0;  // makes libcurl abort the transfer
  }
  sink->body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) sink->headers.clear();  // a new response (e.g. after 100)
  size_t colon = line.find(':');
  if (colon != std::string_view::npos && sink->headers.size() < 200) {
    std::string name = AsciiLower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    sink->headers.emplace_back(std::move(name), std::string(value));
  }
  return len;
}

Error TransportError(CURLcode code, const char* detail, const std::string& host) {
  std::string what = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  switch (code) {
    // Failures that would recur on every attempt.
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
      return MakeError(ErrorKind::kNetwork, "TLS verification of " + host + " failed (" + Printable(what) +
                                                "): check the endpoint, or set ca-file to its CA");
    case CURLE_SSL_CACERT_BADFILE:
      return MakeError(ErrorKind::kUsage, "the CA file for " + host + " cannot be used (" + Printable(what) +
                                              "): set ca-file to a PEM file of CA certificates");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return MakeError(ErrorKind::kNetwork, "cannot send to " + host + " (" + Printable(what) + "): check token-url");
    default:
      break;
  }
  // The rest (refused, reset, timed out, name not resolved) may pass.
  Error e;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      e = MakeError(ErrorKind::kNetwork, host + " did not answer in time: check the network or raise timeout");
      break;
    // The server was reached: the connection failed on the way.
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
      e = MakeError(ErrorKind::kNetwork, "the connection to " + host + " broke mid-answer (" + Printable(what) +
                                             "): try again later, or check the network and proxy settings");
      break;
    default:
      e = MakeError(ErrorKind::kNetwork,
                    "cannot reach " + host + " (" + Printable(what) + "): check the network and proxy settings");
      break;
  }
  e.transient = true;
  return e;
}

// The request's headers as a libcurl list (wiped when freed: they may
// carry credentials), plus an empty "Expect:" that keeps libcurl from
// adding "Expect: 100-continue" to small POSTs.
Result<CurlSlist> HeaderList(const HttpRequest& request) {
  CurlSlist list;
  auto append = [&list](const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (next == nullptr) return false;
    (void)list.release();  // `next` is the same list, grown
    list.reset(next);
    return true;
  };
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    bool ok = append(line);
    WipeString(&line);
    if (!ok) return MakeError(ErrorKind::kInternal, "out of memory");
  }
  if (!append("Expect:")) return MakeError(ErrorKind::kInternal, "out of memory");
  return list;
}

// Everything that makes a transfer safe: verified TLS, no redirects, the
// protocols allowed, time limits and the body cap.
void SetOptions(CURL* c, const HttpRequest& request, curl_slist* headers, Sink* sink, char* errbuf) {
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, request.allow_http ? "https,http" : "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!request.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
  if (!request.client_cert.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, request.client_cert.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEY, request.client_key.c_str());
  }
  // Whole milliseconds, at least one: 0 would mean no limit at all.
  long timeout_ms = std::max(1L, static_cast<long>(request.timeout_seconds * 1000));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(kConnectTimeoutSeconds * 1000, timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBodyBytes));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tokex/1");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, sink);
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

// True for an IPv4 or IPv6 address, which needs no resolving.
bool IsAddress(std::string host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The stage a failed transfer stopped at: by its error where that says,
// else (a timeout, a reset) the first stage libcurl has no time for.
HttpStage FailedStage(CURL* c, CURLcode rc, const Url& url) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return HttpStage::kResolve;
    case CURLE_COULDNT_CONNECT:
      return HttpStage::kConnect;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return HttpStage::kTls;
    default:
      break;
  }
  curl_off_t lookup = 0, connect = 0, handshake = 0;
  curl_easy_getinfo(c, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
  curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect);
  curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &handshake);
  // libcurl keeps the connect time for a connection that is whole, TLS
  // included; the address it names once a socket got through.
  char* ip = nullptr;
  bool socket = curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr && ip[0] != '\0';
  if (connect == 0 && !socket) return lookup == 0 && !IsAddress(url.host) ? HttpStage::kResolve : HttpStage::kConnect;
  if (url.scheme == "https" && handshake == 0) return HttpStage::kTls;
  return HttpStage::kAnswer;
}

// The leaf certificate's notAfter from CURLOPT_CERTINFO ("Expire
// date:Mar  1 12:00:00 2027 GMT", as OpenSSL prints an ASN1_TIME).
std::optional<int64_t> LeafExpiry(CURL* c) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr || info->num_of_certs < 1)
    return std::nullopt;
  constexpr std::string_view kKey = "Expire date:";
  for (curl_slist* item = info->certinfo[0]; item != nullptr; item = item->next) {
    std::string_view line(item->data);
    if (!line.starts_with(kKey)) continue;
    std::string value(line.substr(kKey.size()));
    struct tm tm {};
    const char* end = strptime(value.c_str(), "%b %d %H:%M:%S %Y GMT", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    return static_cast<int64_t>(timegm(&tm));
  }
  return std::nullopt;
}

// One transfer; with `inspect`, also what it showed of the server.
HttpInspection Perform(const HttpRequest& request, bool inspect) {
  HttpInspection out;
  auto fail = [&out](Error e, HttpStage stage) {
    out.reason = e.message;
    out.error = std::move(e);
    out.failed_at = stage;
    return std::move(out);
  };
  Result<Url> url = ParseUrl(request.url);
  if (!url) return fail(url.error(), HttpStage::kResolve);
  if (url->scheme != "https" && !(url->scheme == "http" && request.allow_http))
    return fail(MakeError(ErrorKind::kUsage,
                          "refusing plain http:// to " + url->host + ": set allow-http = yes for a test server"),
                HttpStage::kResolve);
  std::string host = url->HostPort();

  CurlEasy h(curl_easy_init());
  if (!h) return fail(MakeError(ErrorKind::kInternal, "libcurl could not start"), HttpStage::kResolve);
  Result<CurlSlist> headers = HeaderList(request);
  if (!headers) return fail(headers.error(), HttpStage::kResolve);
  Sink sink;
  char errbuf[CURL_ERROR_SIZE] = "";
  SetOptions(h.get(), request, headers->get(), &sink, errbuf);
  if (inspect) curl_easy_setopt(h.get(), CURLOPT_CERTINFO, 1L);
  CURLcode rc = curl_easy_perform(h.get());
  if (inspect) {
    char* ip = nullptr;
    if (curl_easy_getinfo(h.get(), CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) out.address = ip;
    out.certificate_expiry = LeafExpiry(h.get());
  }
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    WipeString(&sink.body);
    return fail(MakeError(ErrorKind::kNetwork, host + " sent a response larger than 1 MiB: refusing it"),
                HttpStage::kAnswer);
  }
  if (rc != CURLE_OK) {
    WipeString(&sink.body);
    out.error = TransportError(rc, errbuf, host);
    out.failed_at = FailedStage(h.get(), rc, *url);
    out.reason = Printable(errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
    return out;
  }
  HttpResponse response;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &response.status);
  response.headers = std::move(sink.headers);
  response.body = std::move(sink.body);
  out.response = std::move(response);
  return out;
}

}  // namespace

CurlHttpClient::CurlHttpClient() { curl_global_init(CURL_GLOBAL_DEFAULT); }

CurlHttpClient::~CurlHttpClient() { curl_global_cleanup(); }

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  HttpInspection i = Perform(request, false);
  if (i.response) return std::move(*i.response);
  return std::move(*i.error);
}

HttpInspection CurlHttpClient::Inspect(const HttpRequest& request) { return Perform(request, true); }

std::string FormEscape(std::string_view s) {
  CurlString escaped(curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size())));
  if (!escaped) return {};
  std::string out(escaped.get());
  WipeBytes(escaped.get(), out.size());
  return out;
}

}  // namespace tokex
