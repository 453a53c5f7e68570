// What every wxctl subcommand shares: the global flags, the connection to the bridge,
// and one way of reporting results (JSON on stdout) and failures (status on stderr).
#ifndef WXBRIDGE_CLIENT_WXCTL_COMMAND_CONTEXT_H_
#define WXBRIDGE_CLIENT_WXCTL_COMMAND_CONTEXT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "client/wxclient/channel.h"
#include "client/wxctl/flag_set.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::wxctl {

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the call failed (or login did not succeed)
inline constexpr int kExitUsage = 2;   // bad command line

struct GlobalOptions {
  client::ChannelOptions channel;  // --server and --tls_*
  std::string token;               // sent as "authorization: Bearer <token>"; never printed
  std::chrono::milliseconds timeout{10000};
};

// Defaults: --server from WXBRIDGE_SERVER or 127.0.0.1:50051, --token and --tls_* from
// WXBRIDGE_TOKEN and WXBRIDGE_TLS_{CA,CERT,KEY}, --timeout 10s.
GlobalOptions DefaultGlobalOptions();
// Adds --server, --token, --tls_*, and --timeout under "global flags".
void AddGlobalFlags(FlagSet& flags, GlobalOptions* options);

class CommandContext {
 public:
  explicit CommandContext(GlobalOptions options);

  const GlobalOptions& options() const { return options_; }
  // Reads the PEM files and checks the token: INVALID_ARGUMENT (a usage error) when one is
  // unusable. Called once, before stub().
  absl::Status Open();
  wxbridge::v1::BridgeService::Stub& stub();
  // A client context with the --timeout deadline (or none when it is 0) and the token.
  std::unique_ptr<grpc::ClientContext> NewClientContext() const;
  // The same with its own deadline, for streams (zero: none).
  std::unique_ptr<grpc::ClientContext> NewStreamContext(std::chrono::milliseconds timeout) const;

  // Prints `response` as one JSON line and returns kExitOk, or prints the failure and
  // returns kExitFailed.
  int Finish(const grpc::Status& status, const google::protobuf::Message& response) const;
  // Prints "ERROR: <CODE>: <message>" (and a hint) to stderr; returns kExitFailed.
  int Fail(const grpc::Status& status) const;

 private:
  GlobalOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<wxbridge::v1::BridgeService::Stub> stub_;
};

}  // namespace wxbridge::wxctl

#endif  // WXBRIDGE_CLIENT_WXCTL_COMMAND_CONTEXT_H_
