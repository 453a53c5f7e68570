// login (101) with the QR code in the terminal and the status followed to the end;
// logout (102).
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/wxclient/qr_render.h"
#include "client/wxctl/subcommand.h"

namespace wxbridge::wxctl {
namespace {

namespace v1 = ::wxbridge::v1;

std::string StatusName(v1::LoginStatus status) {
  return std::string(absl::StripPrefix(v1::LoginStatus_Name(status), "LOGIN_STATUS_"));
}

class LoginCommand final : public Subcommand {
 public:
  LoginCommand()
      : Subcommand("login", "--account=ID [--qr_file=PATH] [--wait=DURATION]",
                   "Log an account in (code 101): show the QR code in the terminal, save "
                   "it as a PNG, and follow the login status until LOGGED_IN (exit 0) or "
                   "TIMED_OUT / FAILED (exit 1).") {}

  void DefineFlags(FlagSet& flags) override {
    flags.AddString("account", &account_, "any unique id for the account", FlagSet::kRequired,
                    "ID");
    flags.AddString("qr_file", &qr_file_,
                    "where to save the QR PNG (default ./wxbridge-login-<account>.png)",
                    FlagSet::kOptional, "PATH");
    flags.AddDuration("wait", &wait_, "how long to follow the login status");
    flags.AddBool("dark_ink", &half_blocks_.dark_ink,
                  "draw dark modules as blocks (for light-background terminals)");
  }

  int Run(CommandContext& context) override {
    if (qr_file_.empty()) qr_file_ = absl::StrCat("./wxbridge-login-", account_, ".png");
    // Subscribe first and wait for the hello: the stream then holds every status from
    // the hello's head_seq on, so none sent in reply to Login can be missed.
    v1::SubscribeRequest subscribe;
    subscribe.add_accounts(account_);
    subscribe.add_kinds(v1::EVENT_KIND_LOGIN_STATUS);
    auto stream_context = context.NewStreamContext(wait_);
    auto stream = context.stub().Subscribe(stream_context.get(), subscribe);
    v1::SubscribeResponse message;
    if (!stream->Read(&message)) return context.Fail(stream->Finish());

    v1::LoginRequest request;
    request.set_account(account_);
    v1::LoginResponse response;
    auto call_context = context.NewClientContext();
    const grpc::Status called = context.stub().Login(call_context.get(), request, &response);
    if (!called.ok()) {
      stream_context->TryCancel();
      stream->Finish();
      return context.Fail(called);
    }
    const uint64_t answered_seq = response.ack().reply_seq();  // shown below, skip it later
    std::optional<int> outcome = Show(response.status());
    while (!outcome && stream->Read(&message)) {
      if (!message.has_event() || !message.event().has_login_status()) continue;
      if (answered_seq != 0 && message.event().seq() == answered_seq) continue;
      outcome = Show(message.event().login_status());
    }
    if (outcome) {
      stream_context->TryCancel();
      stream->Finish();
      return *outcome;
    }
    const grpc::Status ended = stream->Finish();
    if (ended.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return context.Fail(
          grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                       absl::StrCat(account_, " did not finish logging in within --wait")));
    }
    return context.Fail(ended);
  }

 private:
  // Prints one status; the exit code once the login is over.
  std::optional<int> Show(const v1::LoginStatusEvent& status) {
    std::cout << account_ << ": " << StatusName(status.status()) << " " << status.message();
    switch (status.status()) {
      case v1::LOGIN_STATUS_WAITING_FOR_SCAN:
        std::cout << "\n";
        if (!status.qr_image().empty()) ShowQr(status.qr_image());
        std::cout << std::flush;
        return std::nullopt;
      case v1::LOGIN_STATUS_LOGGED_IN:
        std::cout << " (wxId " << status.wx_id() << ")" << std::endl;
        return kExitOk;
      case v1::LOGIN_STATUS_TIMED_OUT:
      case v1::LOGIN_STATUS_FAILED:
      case v1::LOGIN_STATUS_LOGGED_OUT:
        std::cout << std::endl;
        std::cerr << "ERROR: login ended " << StatusName(status.status()) << "\n";
        return kExitFailed;
      default:
        std::cout << std::endl;
        return std::nullopt;
    }
  }

  void ShowQr(const std::string& png) {
    if (png == last_qr_) return;  // the same code again
    last_qr_ = png;
    std::ofstream file(qr_file_, std::ios::binary);
    file << png;
    file.close();
    absl::StatusOr<std::string> art = client::RenderPngQr(png, half_blocks_);
    if (art.ok()) std::cout << *art;
    if (!art.ok()) std::cerr << "cannot draw the QR code: " << art.status().message() << "\n";
    if (file) {
      std::cout << "scan it with WeChat; QR code saved to " << qr_file_ << "\n";
    } else {
      std::cerr << "cannot save the QR code to " << qr_file_ << "\n";
    }
  }

  std::string account_;
  std::string qr_file_;
  std::chrono::milliseconds wait_{std::chrono::minutes(3)};
  client::HalfBlockOptions half_blocks_;
  std::string last_qr_;
};

}  // namespace

std::vector<std::unique_ptr<Subcommand>> SessionCommands() {
  std::vector<std::unique_ptr<Subcommand>> commands;
  commands.push_back(std::make_unique<LoginCommand>());
  commands.push_back(MakeUnary<v1::LogoutRequest, v1::LogoutResponse>(
      "logout", "--account=ID", "Log an account out (code 102); completes on LOGGED_OUT.",
      &v1::BridgeService::Stub::Logout, [](FlagSet& flags, v1::LogoutRequest& r) {
        flags.AddString("account", r.mutable_account(), "the account", FlagSet::kRequired);
      }));
  return commands;
}

}  // namespace wxbridge::wxctl
