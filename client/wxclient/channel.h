// Connecting to a wxbridge: one channel (plaintext or TLS, with message-size limits that
// fit a 10 MB image), and client contexts with a deadline and the caller's token.
#ifndef WXBRIDGE_CLIENT_WXCLIENT_CHANNEL_H_
#define WXBRIDGE_CLIENT_WXCLIENT_CHANNEL_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace wxbridge::client {

// Largest message sent or received. The bridge enforces its own, smaller limit
// (--max_frame_bytes); the client must not be the one that refuses a large image.
inline constexpr int kMaxMessageBytes = 64 << 20;

// Where wxbridge listens unless told otherwise.
inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

// The environment variables wxctl and the examples share.
inline constexpr char kServerVariable[] = "WXBRIDGE_SERVER";  // overrides kDefaultServer
inline constexpr char kTokenVariable[] = "WXBRIDGE_TOKEN";
inline constexpr char kTlsCaVariable[] = "WXBRIDGE_TLS_CA";  // set: TLS
inline constexpr char kTlsCertVariable[] = "WXBRIDGE_TLS_CERT";
inline constexpr char kTlsKeyVariable[] = "WXBRIDGE_TLS_KEY";

// $WXBRIDGE_SERVER when set and not empty, else kDefaultServer.
std::string DefaultServer();
// The variable's value, or "" when unset.
std::string EnvOrEmpty(const char* variable);

// How to reach a bridge. File names are of PEM files; the messages of errors about them
// name the wxctl flag (--tls_ca, --tls_cert, --tls_key), which the examples mirror.
struct ChannelOptions {
  std::string target = kDefaultServer;  // "host:port" or "unix:/path"
  // The CA that signed the bridge's certificate. Set: TLS; empty: plaintext.
  std::string tls_ca_file;
  // Our certificate and key, for a bridge that verifies clients (mTLS); both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // The name checked in the bridge's certificate instead of the target's host.
  std::string tls_server_name;

  bool tls() const { return !tls_ca_file.empty(); }
};

// Defaults: target from $WXBRIDGE_SERVER, TLS files from $WXBRIDGE_TLS_{CA,CERT,KEY}.
ChannelOptions ChannelOptionsFromEnvironment();

// The one place credentials are built: TLS (with the client certificate when given) when
// tls_ca_file is set, else plaintext. INVALID_ARGUMENT when a file cannot be read or is
// not PEM, or the options do not fit together.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ChannelOptions& options);

// A channel to options.target with MakeChannelCredentials and the size limits above.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options);

// A plaintext channel to `target` (tests and tools on loopback).
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);

// OK, or INVALID_ARGUMENT when `token` cannot travel as a gRPC metadata value (printable
// ASCII, no surrounding spaces). The message never holds the token.
absl::Status CheckToken(absl::string_view token);

// A context whose deadline is `timeout` from now (zero: none), carrying `token`, when not
// empty, as "authorization: Bearer <token>": every call a client makes gets it here.
std::unique_ptr<grpc::ClientContext> NewCallContext(std::chrono::milliseconds timeout,
                                                    const std::string& token = "");

}  // namespace wxbridge::client

#endif  // WXBRIDGE_CLIENT_WXCLIENT_CHANNEL_H_
