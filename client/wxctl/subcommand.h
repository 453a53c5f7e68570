// One wxctl subcommand, and the generic shape shared by the ones that make a single
// unary call and print its response.
#ifndef WXBRIDGE_CLIENT_WXCTL_SUBCOMMAND_H_
#define WXBRIDGE_CLIENT_WXCTL_SUBCOMMAND_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client/wxctl/command_context.h"
#include "client/wxctl/flag_set.h"

namespace wxbridge::wxctl {

class Subcommand {
 public:
  Subcommand(std::string name, std::string synopsis, std::string summary)
      : name_(std::move(name)), synopsis_(std::move(synopsis)), summary_(std::move(summary)) {}
  virtual ~Subcommand() = default;

  const std::string& name() const { return name_; }
  // The flags after "wxctl <name>", for the usage line.
  const std::string& synopsis() const { return synopsis_; }
  const std::string& summary() const { return summary_; }

  // Binds the command's flags (before parsing); Run sees their values.
  virtual void DefineFlags(FlagSet& flags) = 0;
  virtual int Run(CommandContext& context) = 0;

 private:
  std::string name_;
  std::string synopsis_;
  std::string summary_;
};

// Sends one `Request`, built from flags, with `method` and prints the response as JSON.
template <typename Request, typename Response>
class UnaryCommand final : public Subcommand {
 public:
  using Stub = wxbridge::v1::BridgeService::Stub;
  using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);
  using Binder = std::function<void(FlagSet&, Request&)>;

  UnaryCommand(std::string name, std::string synopsis, std::string summary, Method method,
               Binder bind)
      : Subcommand(std::move(name), std::move(synopsis), std::move(summary)),
        method_(method),
        bind_(std::move(bind)) {}

  void DefineFlags(FlagSet& flags) override { bind_(flags, request_); }

  int Run(CommandContext& context) override {
    Response response;
    auto client_context = context.NewClientContext();
    const grpc::Status status =
        (context.stub().*method_)(client_context.get(), request_, &response);
    return context.Finish(status, response);
  }

 private:
  Method method_;
  Binder bind_;
  Request request_;
};

template <typename Request, typename Response>
std::unique_ptr<Subcommand> MakeUnary(std::string name, std::string synopsis, std::string summary,
                                      typename UnaryCommand<Request, Response>::Method method,
                                      typename UnaryCommand<Request, Response>::Binder bind) {
  return std::make_unique<UnaryCommand<Request, Response>>(
      std::move(name), std::move(synopsis), std::move(summary), method, std::move(bind));
}

// The subcommands, one factory per file (cmd_*.cc); wxctl_main.cc lists them.
std::vector<std::unique_ptr<Subcommand>> SessionCommands();    // login, logout
std::vector<std::unique_ptr<Subcommand>> MessageCommands();    // send-text, -link, -image
std::vector<std::unique_ptr<Subcommand>> SocialCommands();     // contacts, friends, groups
std::vector<std::unique_ptr<Subcommand>> BridgeCommands();     // raw, status
std::vector<std::unique_ptr<Subcommand>> SubscribeCommands();  // subscribe

}  // namespace wxbridge::wxctl

#endif  // WXBRIDGE_CLIENT_WXCTL_SUBCOMMAND_H_
