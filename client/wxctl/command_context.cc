#include "client/wxctl/command_context.h"

#include <iostream>
#include <utility>

#include "client/wxclient/channel.h"
#include "client/wxclient/json_lines.h"
#include "client/wxclient/status_text.h"

namespace wxbridge::wxctl {

namespace {

// A flag bound to `value` whose usage line shows where the default comes from, never the
// value itself: a token must not reach a terminal or a CI log through --help.
void AddSecretFlag(FlagSet& flags, const std::string& name, std::string* value,
                   const std::string& help, const char* variable) {
  flags.Add(
      name, "TOKEN", help,
      [value](absl::string_view v) {
        *value = std::string(v);
        return absl::OkStatus();
      },
      FlagSet::kOptional, client::EnvOrEmpty(variable).empty() ? "" : "$" + std::string(variable));
}

}  // namespace

GlobalOptions DefaultGlobalOptions() {
  GlobalOptions options;
  options.channel = client::ChannelOptionsFromEnvironment();
  options.token = client::EnvOrEmpty(client::kTokenVariable);
  return options;
}

void AddGlobalFlags(FlagSet& flags, GlobalOptions* options) {
  client::ChannelOptions& channel = options->channel;
  flags.BeginSection("global flags");
  flags.AddString("server", &channel.target,
                  "wxbridge address, HOST:PORT or unix:PATH (env WXBRIDGE_SERVER)",
                  FlagSet::kOptional, "ADDRESS");
  AddSecretFlag(flags, "token", &options->token,
                "bearer token for a bridge with a tokens file (env WXBRIDGE_TOKEN; prefer it: "
                "flags show in ps)",
                client::kTokenVariable);
  flags.AddString("tls_ca", &channel.tls_ca_file,
                  "CA certificate (PEM) of the bridge's certificate; set: TLS (env "
                  "WXBRIDGE_TLS_CA)",
                  FlagSet::kOptional, "PEM");
  flags.AddString("tls_cert", &channel.tls_cert_file,
                  "client certificate (PEM) for a bridge that verifies clients (env "
                  "WXBRIDGE_TLS_CERT)",
                  FlagSet::kOptional, "PEM");
  flags.AddString("tls_key", &channel.tls_key_file,
                  "the client certificate's key (PEM) (env WXBRIDGE_TLS_KEY)", FlagSet::kOptional,
                  "PEM");
  flags.AddString("tls_server_name", &channel.tls_server_name,
                  "name to check in the bridge's certificate instead of --server's host",
                  FlagSet::kOptional, "NAME");
  flags.AddDuration("timeout", &options->timeout, "deadline of each call; 0: none");
}

CommandContext::CommandContext(GlobalOptions options) : options_(std::move(options)) {}

absl::Status CommandContext::Open() {
  if (absl::Status token = client::CheckToken(options_.token); !token.ok()) return token;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::MakeChannel(options_.channel);
  if (!channel.ok()) return channel.status();
  channel_ = *std::move(channel);
  stub_ = wxbridge::v1::BridgeService::NewStub(channel_);
  return absl::OkStatus();
}

wxbridge::v1::BridgeService::Stub& CommandContext::stub() { return *stub_; }

std::unique_ptr<grpc::ClientContext> CommandContext::NewClientContext() const {
  return NewStreamContext(options_.timeout);
}

std::unique_ptr<grpc::ClientContext> CommandContext::NewStreamContext(
    std::chrono::milliseconds timeout) const {
  return client::NewCallContext(timeout, options_.token);
}

int CommandContext::Finish(const grpc::Status& status,
                           const google::protobuf::Message& response) const {
  if (!status.ok()) return Fail(status);
  if (absl::Status written = client::WriteJsonLine(response, std::cout); !written.ok()) {
    std::cerr << "ERROR: " << written.message() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

int CommandContext::Fail(const grpc::Status& status) const {
  std::cerr << client::StatusLine(status) << "\n";
  const std::string hint = client::StatusHint(status, options_.channel, !options_.token.empty());
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  return kExitFailed;
}

}  // namespace wxbridge::wxctl
