#include "client/wxctl/command_context.h"

#include <iostream>
#include <utility>

#include "client/wxclient/channel.h"
#include "client/wxclient/json_lines.h"
#include "client/wxclient/status_text.h"

namespace wxbridge::wxctl {

GlobalOptions DefaultGlobalOptions() {
  GlobalOptions options;
  options.server = client::DefaultServer();
  return options;
}

void AddGlobalFlags(FlagSet& flags, GlobalOptions* options) {
  flags.BeginSection("global flags");
  flags.AddString("server", &options->server, "wxbridge address (env WXBRIDGE_SERVER)",
                  FlagSet::kOptional, "HOST:PORT");
  flags.AddDuration("timeout", &options->timeout, "deadline of each call; 0: none");
}

CommandContext::CommandContext(GlobalOptions options) : options_(std::move(options)) {}

wxbridge::v1::BridgeService::Stub& CommandContext::stub() {
  if (stub_ == nullptr) {
    channel_ = client::MakeChannel(options_.server);
    stub_ = wxbridge::v1::BridgeService::NewStub(channel_);
  }
  return *stub_;
}

std::unique_ptr<grpc::ClientContext> CommandContext::NewClientContext() const {
  return client::ContextWithTimeout(options_.timeout);
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
  const std::string hint = client::StatusHint(status, options_.server);
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  return kExitFailed;
}

}  // namespace wxbridge::wxctl
