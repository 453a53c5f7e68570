#include "client/wxclient/status_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::client {

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

std::string StatusLine(const grpc::Status& status) {
  return absl::StrCat("ERROR: ", StatusCodeName(status.error_code()), ": ", status.error_message());
}

namespace {

// gRPC's own connection failures, as opposed to the bridge's "gateway not connected".
std::string ConnectHint(const std::string& message, const ChannelOptions& channel) {
  const std::string lower = absl::AsciiStrToLower(message);
  if (absl::StrContains(lower, "ssl") || absl::StrContains(lower, "handshake") ||
      absl::StrContains(lower, "certificate")) {
    return "the TLS handshake failed: is --tls_ca the CA that signed the bridge's "
           "certificate, does that certificate name the host in --server (else "
           "--tls_server_name), and does the bridge want a client certificate (--tls_cert, "
           "--tls_key)?";
  }
  std::string hint = absl::StrCat("is wxbridge running and listening on ", channel.target,
                                  "? (start it with scripts/run.sh, or pass --server / set "
                                  "WXBRIDGE_SERVER)");
  if (!channel.tls()) {
    absl::StrAppend(&hint, "; if it serves TLS, pass --tls_ca or set WXBRIDGE_TLS_CA");
  }
  return hint;
}

}  // namespace

std::string StatusHint(const grpc::Status& status, const ChannelOptions& channel, bool has_token) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      if (absl::StrContains(status.error_message(), "connect")) {
        return ConnectHint(status.error_message(), channel);
      }
      return "the bridge has no gateway connection: see `wxctl status` and the bridge's log";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "no answer in time: raise --timeout, or check `wxctl status` (is the account "
             "logged in?)";
    case grpc::StatusCode::UNAUTHENTICATED:
      if (absl::StrContains(status.error_message(), "authKey")) {
        return "the gateway refused the bridge's authKey: restart wxbridge with the right "
               "WXBRIDGE_AUTH_KEY";
      }
      return has_token ? "the bridge does not know this token: check --token / "
                         "WXBRIDGE_TOKEN against the bridge's tokens file (docs/security.md)"
                       : "the bridge wants a token: pass --token or set WXBRIDGE_TOKEN "
                         "(docs/security.md)";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "this token's scope (its accounts and methods in the bridge's tokens file) "
             "does not cover the call: see docs/security.md";
    default:
      return "";
  }
}

}  // namespace wxbridge::client
