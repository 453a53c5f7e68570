// subscribe: every SubscribeResponse (hello, events, heartbeats, gaps) as one JSON line.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/wxclient/json_lines.h"
#include "client/wxctl/subcommand.h"
#include "google/protobuf/util/time_util.h"

namespace wxbridge::wxctl {
namespace {

namespace v1 = ::wxbridge::v1;

// "text", "friend_request", "friend-request" or "EVENT_KIND_TEXT".
absl::Status AddKind(absl::string_view text, v1::SubscribeRequest* request) {
  std::string name = absl::AsciiStrToUpper(text);
  std::replace(name.begin(), name.end(), '-', '_');
  if (!absl::StartsWith(name, "EVENT_KIND_")) name = absl::StrCat("EVENT_KIND_", name);
  v1::EventKind kind;
  if (!v1::EventKind_Parse(name, &kind) || kind == v1::EVENT_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown kind \"", text,
                     "\" (login_status, text, contact, image, location, app, "
                     "friend_request, system_notice, group_change, gateway_error, bridge_state, "
                     "command_reply, unrecognized, loop_stopped)"));
  }
  request->add_kinds(kind);
  return absl::OkStatus();
}

class SubscribeCommand final : public Subcommand {
 public:
  SubscribeCommand()
      : Subcommand("subscribe",
                   "[--account=A,B] [--kind=text,…] [--after_seq=N [--log_id=ID]] [--count=N] "
                   "[--max_batch=N]",
                   "Stream events as JSON lines (hello first, then events, heartbeats and "
                   "gaps), one object per line, flushed at once: pipe it into jq.\n"
                   "Runs until --count events arrived, --max_time passed, or Ctrl-C; "
                   "--timeout does not apply to the stream.") {}

  void DefineFlags(FlagSet& flags) override {
    flags.AddList(
        "account", [this](std::string a) { request_.add_accounts(std::move(a)); },
        "only these accounts (bridge events always pass)");
    flags.Add("kind", "A,B", "only these event kinds, e.g. text,friend_request",
              [this](absl::string_view list) {
                for (absl::string_view kind : absl::StrSplit(list, ',', absl::SkipEmpty())) {
                  if (absl::Status added = AddKind(kind, &request_); !added.ok()) return added;
                }
                return absl::OkStatus();
              });
    flags.AddUint("after_seq", &after_seq_,
                  "resume: replay retained events with seq > N first (0: all retained)");
    flags.Add("log_id", "ID",
              "the log --after_seq is from (the hello's log_id): a bridge whose log is "
              "another refuses FAILED_PRECONDITION instead of replaying other events",
              [this](absl::string_view id) {
                request_.set_log_id(std::string(id));
                return absl::OkStatus();
              });
    flags.AddInt(
        "count", [this](int64_t n) { count_ = n; },
        "exit 0 after N events (hello, heartbeats and gaps do not count)");
    flags.AddDuration("heartbeat", &heartbeat_, "ask for heartbeats at this interval");
    flags.Add("max_batch", "N",
              "let the bridge send up to N waiting events per message (a busy or replayed "
              "stream catches up faster); the output is still one event per line",
              [this](absl::string_view value) {
                uint32_t n = 0;
                if (!absl::SimpleAtoi(value, &n)) {
                  return absl::InvalidArgumentError(
                      absl::StrCat("not a count from 0 to 4294967295: \"", value, "\""));
                }
                request_.set_max_batch(n);
                return absl::OkStatus();
              });
    flags.AddDuration("max_time", &max_time_, "exit 0 after this long");
  }

  int Run(CommandContext& context) override {
    if (after_seq_) request_.set_after_seq(*after_seq_);
    if (heartbeat_.count() > 0) {
      *request_.mutable_heartbeat_interval() =
          google::protobuf::util::TimeUtil::MillisecondsToDuration(heartbeat_.count());
    }
    auto stream_context = context.NewStreamContext(max_time_);
    auto reader = context.stub().Subscribe(stream_context.get(), request_);
    v1::SubscribeResponse message;
    int64_t events = 0;
    // One line per event whether it came alone or in a batch; false: stop (count reached
    // or stdout closed), with the exit code in `exit_code`.
    int exit_code = kExitOk;
    auto write = [&](const v1::SubscribeResponse& line) {
      if (!client::WriteJsonLine(line, std::cout).ok()) {
        exit_code = kExitFailed;  // e.g. stdout closed
        return false;
      }
      return !(line.has_event() && count_ > 0 && ++events >= count_);
    };
    while (reader->Read(&message)) {
      if (!message.has_batch()) {
        if (!write(message)) return Stop(*stream_context, *reader, exit_code);
        continue;
      }
      for (v1::Event& event : *message.mutable_batch()->mutable_events()) {
        v1::SubscribeResponse line;
        *line.mutable_event() = std::move(event);
        if (!write(line)) return Stop(*stream_context, *reader, exit_code);
      }
    }
    const grpc::Status status = reader->Finish();
    const bool max_time_over =
        max_time_.count() > 0 && status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    return status.ok() || max_time_over ? kExitOk : context.Fail(status);
  }

 private:
  // Ends the stream from our side.
  static int Stop(grpc::ClientContext& context, grpc::ClientReader<v1::SubscribeResponse>& reader,
                  int exit_code) {
    context.TryCancel();
    reader.Finish();  // CANCELLED, as asked
    return exit_code;
  }

  v1::SubscribeRequest request_;
  std::optional<uint64_t> after_seq_;
  int64_t count_ = 0;
  std::chrono::milliseconds heartbeat_{0};
  std::chrono::milliseconds max_time_{0};
};

}  // namespace

std::vector<std::unique_ptr<Subcommand>> SubscribeCommands() {
  std::vector<std::unique_ptr<Subcommand>> commands;
  commands.push_back(std::make_unique<SubscribeCommand>());
  return commands;
}

}  // namespace wxbridge::wxctl
