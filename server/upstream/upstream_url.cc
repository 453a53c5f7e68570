// ParseUpstreamUrl and RedactUrl (declared in upstream_client.h): string work only.
#include <algorithm>
#include <cctype>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::upstream {
namespace {

// The pieces of scheme://[userinfo@]authority[/path][?query][#fragment].
struct UrlParts {
  absl::string_view scheme;     // empty when there is no "://"
  absl::string_view authority;  // without userinfo
  absl::string_view path;       // up to '?' or '#'
  absl::string_view query;      // with its '?', without the fragment
};

UrlParts SplitUrl(absl::string_view url) {
  UrlParts parts;
  if (const size_t sep = url.find("://"); sep != absl::string_view::npos) {
    parts.scheme = url.substr(0, sep);
    url.remove_prefix(sep + 3);
  }
  const size_t authority_end = std::min(url.find_first_of("/?#"), url.size());
  absl::string_view authority = url.substr(0, authority_end);
  // userinfo may hold a password: everything up to the last '@' goes.
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  parts.authority = authority;
  url.remove_prefix(authority_end);
  url = url.substr(0, std::min(url.find('#'), url.size()));
  const size_t query_start = std::min(url.find('?'), url.size());
  parts.path = url.substr(0, query_start);
  parts.query = url.substr(query_start);
  return parts;
}

absl::Status InvalidUrl(absl::string_view why, const std::string& url) {
  return absl::InvalidArgumentError(absl::StrCat("upstream URL ", why, ": ", RedactUrl(url)));
}

}  // namespace

absl::StatusOr<UpstreamUrl> ParseUpstreamUrl(const std::string& url) {
  const UrlParts parts = SplitUrl(url);
  const std::string scheme = absl::AsciiStrToLower(parts.scheme);
  if (scheme != "ws" && scheme != "wss") return InvalidUrl("must start with ws:// or wss://", url);
  UpstreamUrl out;
  out.tls = scheme == "wss";
  out.port = out.tls ? "443" : "80";

  absl::string_view authority = parts.authority;
  absl::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return InvalidUrl("has an unclosed '['", url);
    out.host = std::string(authority.substr(1, close - 1));
    absl::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return InvalidUrl("has junk after ']'", url);
    if (rest == ":") return InvalidUrl("has an empty port", url);
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return InvalidUrl("has an empty port", url);
    }
  }
  if (out.host.empty()) return InvalidUrl("has no host", url);
  if (!port.empty()) {
    uint32_t number = 0;
    if (!absl::SimpleAtoi(port, &number) || number == 0 || number > 65535 ||
        !std::isdigit(static_cast<unsigned char>(port.front()))) {
      return InvalidUrl("has an invalid port", url);
    }
    out.port = std::string(port);
  }
  out.target = absl::StrCat(parts.path.empty() ? "/" : parts.path, parts.query);
  return out;
}

std::string RedactUrl(const std::string& url) {
  const UrlParts parts = SplitUrl(url);
  return absl::StrCat(parts.scheme, parts.scheme.empty() ? "" : "://", parts.authority, parts.path);
}

}  // namespace wxbridge::upstream
