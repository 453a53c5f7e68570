#include "server/calls/call_runner.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/asio/post.hpp"
#include "server/common/log.h"
#include "server/protocol/frame_encoder.h"

namespace wxbridge::calls {
namespace {

// A per-process prefix keeps cmdIds unique across bridge restarts.
std::string RandomCmdIdPrefix() {
  std::random_device device;
  return absl::StrFormat("wxb-%08x-", device());
}

}  // namespace

CallRunner::CallRunner(boost::asio::io_context& io, CallRunnerOptions options,
                       CallRunnerHooks hooks, pacing::SendPacer* pacer)
    : io_(io),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      pacer_(pacer),
      cmd_id_prefix_(RandomCmdIdPrefix()) {}

CallRunner::~CallRunner() = default;

protocol::FrameStamp CallRunner::NextStamp() {
  protocol::FrameStamp stamp;
  stamp.msg_id = next_msg_id_.fetch_add(1);
  stamp.cmd_id = absl::StrCat(cmd_id_prefix_, stamp.msg_id);
  return stamp;
}

bool CallRunner::TakeInFlightSlot() {
  std::lock_guard<std::mutex> lock(in_flight_mutex_);
  if (in_flight_ >= options_.max_calls_in_flight) return false;
  ++in_flight_;
  return true;
}

void CallRunner::ReleaseInFlightSlot() {
  std::lock_guard<std::mutex> lock(in_flight_mutex_);
  if (--in_flight_ == 0) all_done_.notify_all();
}

void CallRunner::Refuse(const absl::Status& status, const CallDone& done) {
  Count(false);
  CallResult refused;
  refused.status = status;
  done(std::move(refused));
}

uint64_t CallRunner::Start(absl::StatusOr<protocol::Command> command, Clock::time_point deadline,
                           CallDone done) {
  if (!command.ok()) {
    Refuse(command.status(), done);
    return 0;
  }
  if (!TakeInFlightSlot()) {
    Refuse(absl::ResourceExhaustedError(absl::StrCat(
               "the bridge already has ", options_.max_calls_in_flight,
               " calls in flight, its limit (--max_calls_in_flight); try again later")),
           done);
    return 0;
  }
  protocol::FrameStamp stamp = NextStamp();
  const uint64_t id = stamp.msg_id;
  auto frame = std::make_shared<const std::string>(
      protocol::EncodeFrame(*command, options_.auth_key, stamp));
  if (frame->size() > options_.max_frame_bytes) {
    const std::size_t frame_bytes = frame->size();
    frame.reset();
    ReleaseInFlightSlot();
    Refuse(absl::ResourceExhaustedError(absl::StrCat(
               "the request makes a ", frame_bytes,
               "-byte gateway frame, over the bridge's "
               "limit of ",
               options_.max_frame_bytes, " bytes (--max_frame_bytes); nothing was sent")),
           done);
    return 0;
  }
  boost::asio::post(io_, [this, command = *std::move(command), stamp = std::move(stamp),
                          frame = std::move(frame), deadline, done = std::move(done)]() mutable {
    Register(command, stamp, std::move(frame), deadline, /*internal=*/false, std::move(done));
  });
  return id;
}

void CallRunner::Register(const protocol::Command& command, const protocol::FrameStamp& stamp,
                          std::shared_ptr<const std::string> frame, Clock::time_point deadline,
                          bool internal, CallDone done) {
  const uint64_t id = stamp.msg_id;
  table_.Add(stamp, command, [this, id, internal, done = std::move(done)](CallResult result) {
    Finish(id, internal, std::move(result), done);
  });
  if (absl::Status admitted = hooks_.admit ? hooks_.admit() : absl::OkStatus(); !admitted.ok()) {
    table_.Fail(id, admitted);
    return;
  }
  Pending& pending = pending_[id];
  pending.deadline = deadline;
  pending.timer = std::make_unique<boost::asio::steady_timer>(io_, deadline);
  pending.timer->async_wait([this, id](const boost::system::error_code& ec) {
    if (!ec) OnDeadline(id);
  });
  if (pacer_ != nullptr && !internal) {
    const Clock::time_point now = Clock::now();
    absl::StatusOr<pacing::SendPacer::Turn> turn =
        pacer_->Schedule(command.code, command.account, command.chat, now, deadline);
    if (!turn.ok()) {
      table_.Fail(id, turn.status());
      return;
    }
    if (turn->hold) {
      Hold(pending, id, command, turn->at, std::move(frame));
      return;
    }
  }
  Send(id, std::move(frame), internal);
}

void CallRunner::Send(uint64_t request_id, std::shared_ptr<const std::string> frame, bool first) {
  if (absl::Status queued = hooks_.enqueue(request_id, std::move(frame), first); !queued.ok()) {
    table_.Fail(request_id, queued);
  }
}

void CallRunner::Hold(Pending& pending, uint64_t request_id, const protocol::Command& command,
                      Clock::time_point until, std::shared_ptr<const std::string> frame) {
  pending.held = true;
  pending.held_since = Clock::now();
  pending.held_code = command.code;
  pending.held_account = command.account;
  pending.hold = std::make_unique<boost::asio::steady_timer>(io_, until);
  pending.hold->async_wait(
      [this, request_id, frame = std::move(frame)](const boost::system::error_code& ec) mutable {
        if (ec) return;  // the call ended while held
        EndHold(request_id);
        Send(request_id, std::move(frame), /*first=*/false);
      });
}

void CallRunner::EndHold(uint64_t request_id) {
  auto it = pending_.find(request_id);
  if (it == pending_.end() || !it->second.held) return;
  Pending& pending = it->second;
  pending.held = false;
  const auto held = Clock::now() - pending.held_since;
  pacer_->HoldEnded(pending.held_code, pending.held_account, held);
  table_.MarkHeld(request_id, held);
}

void CallRunner::OnDeadline(uint64_t request_id) {
  auto it = pending_.find(request_id);
  if (it != pending_.end() && it->second.held) {
    table_.Expire(request_id, /*unsent=*/true,
                  absl::ResourceExhaustedError("paced: the call's deadline came while it waited "
                                               "for its turn; nothing was sent"));
    return;
  }
  // A frame already being written cannot be taken back: the call is not "unsent".
  const bool unsent = !table_.IsWritten(request_id) && hooks_.withdraw(request_id);
  table_.Expire(request_id, unsent, hooks_.unsent_status());
}

void CallRunner::Finish(uint64_t request_id, bool internal, CallResult result,
                        const CallDone& done) {
  EndHold(request_id);
  pending_.erase(request_id);  // cancels the deadline (and hold) timer
  if (request_id == rebind_id_) rebind_id_ = 0;
  if (hooks_.withdraw) hooks_.withdraw(request_id);
  ack_mode_ = table_.ack_mode();
  if (internal) {
    done(std::move(result));
    return;
  }
  Count(result.status.ok());
  done(std::move(result));
  ReleaseInFlightSlot();
}

void CallRunner::Count(bool ok) { (ok ? succeeded_ : failed_)++; }

void CallRunner::Cancel(uint64_t request_id) {
  if (request_id == 0) return;
  boost::asio::post(io_, [this, request_id] {
    table_.Fail(request_id, absl::CancelledError("the client cancelled the call"));
  });
}

bool CallRunner::WaitForCalls(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(in_flight_mutex_);
  return all_done_.wait_until(lock, deadline, [this] { return in_flight_ == 0; });
}

void CallRunner::OnConnected() {
  // A re-bind the previous connection never wrote is superseded by this one's.
  if (rebind_id_ != 0) {
    table_.Fail(rebind_id_, absl::UnavailableError("superseded by a new connection's re-bind"));
  }
  table_.ResetAckMode();
  ack_mode_ = table_.ack_mode();
  // Code 100 goes first on every connection; its reply (if echoed) teaches the ack mode.
  protocol::Command rebind = protocol::RebindCommand();
  protocol::FrameStamp stamp = NextStamp();
  auto frame =
      std::make_shared<const std::string>(protocol::EncodeFrame(rebind, options_.auth_key, stamp));
  rebind_id_ = stamp.msg_id;
  Register(rebind, stamp, std::move(frame), Clock::now() + options_.rebind_timeout,
           /*internal=*/true, [](const CallResult& result) {
             Log(LogLevel::kDebug, "gateway",
                 "re-bind (code 100) completed: ", result.status.ToString());
           });
}

void CallRunner::OnWritten(uint64_t request_id) {
  table_.OnWritten(request_id);
  ack_mode_ = table_.ack_mode();
}

bool CallRunner::ResendInterrupted(uint64_t request_id) {
  auto it = pending_.find(request_id);
  // A re-bind is never resent: every connection sends its own.
  if (it == pending_.end() || request_id == rebind_id_ || Clock::now() >= it->second.deadline) {
    return false;
  }
  if (it->second.resent) {
    table_.Fail(request_id,
                absl::AbortedError("the connection to the gateway dropped twice while this "
                                   "request was being written; it is not written a third time. "
                                   "The gateway may have received it: check before retrying"));
    return false;
  }
  it->second.resent = true;
  table_.MarkResent(request_id);
  return true;
}

void CallRunner::RefusedTooBig(uint64_t request_id, std::size_t bytes) {
  table_.Fail(request_id, absl::ResourceExhaustedError(absl::StrCat(
                              "the gateway refused the request's ", bytes,
                              "-byte frame as too big (WebSocket close code 1009); it is not "
                              "sent again")));
}

void CallRunner::OnEvent(const events::StoredEventPtr& event) {
  table_.OnEvent(event);
  ack_mode_ = table_.ack_mode();
}

void CallRunner::FailAll(const absl::Status& status) { table_.FailAll(status); }

CallCounters CallRunner::counters() const {
  CallCounters counters;
  counters.succeeded = succeeded_.load();
  counters.failed = failed_.load();
  std::lock_guard<std::mutex> lock(in_flight_mutex_);
  counters.in_flight = in_flight_;
  return counters;
}

}  // namespace wxbridge::calls
