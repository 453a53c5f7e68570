#include "server/bridge/gateway_link.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/asio/post.hpp"
#include "google/protobuf/util/time_util.h"
#include "server/common/log.h"
#include "server/protocol/frame_decoder.h"
#include "server/protocol/frame_encoder.h"

namespace wxbridge::bridge {
namespace {

using google::protobuf::util::TimeUtil;
using wxbridge::v1::UpstreamState;

// A per-process prefix keeps cmdIds unique across bridge restarts.
std::string RandomCmdIdPrefix() {
  std::random_device device;
  return absl::StrFormat("wxb-%08x-", device());
}

const char* StateName(UpstreamState state) {
  return wxbridge::v1::UpstreamState_Name(state).c_str() + sizeof("UPSTREAM_STATE_") - 1;
}

}  // namespace

GatewayLink::GatewayLink(GatewayLinkConfig config, events::EventLog* log)
    : config_(std::move(config)),
      log_(log),
      work_(boost::asio::make_work_guard(io_)),
      cmd_id_prefix_(RandomCmdIdPrefix()) {
  upstream::UpstreamCallbacks callbacks;
  callbacks.on_connected = [this] { OnConnected(); };
  callbacks.on_frame = [this](std::string frame, bool binary) {
    OnFrame(std::move(frame), binary);
  };
  callbacks.on_written = [this](uint64_t id) { OnWritten(id); };
  callbacks.on_write_failed = [this](uint64_t id) { OnWriteFailed(id); };
  callbacks.on_state = [this](UpstreamState state, const std::string& detail,
                              uint32_t attempt, std::chrono::milliseconds retry_in) {
    OnState(state, detail, attempt, retry_in);
  };
  upstream_ = std::make_unique<upstream::UpstreamClient>(io_, config_.upstream,
                                                         std::move(callbacks));
}

GatewayLink::~GatewayLink() { Stop(); }

void GatewayLink::Start() {
  if (started_.exchange(true)) return;
  boost::asio::post(io_, [this] {
    SetState(wxbridge::v1::UPSTREAM_STATE_RECONNECTING,
             absl::StrCat("connecting to ", upstream::RedactUrl(config_.upstream.url)), 0,
             std::chrono::milliseconds(0));
    upstream_->Start();
  });
  thread_ = std::thread([this] { io_.run(); });
}

void GatewayLink::RefuseNewCalls() { refusing_ = true; }

bool GatewayLink::WaitForCalls(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(calls_mutex_);
  return calls_done_.wait_until(lock, deadline, [this] { return calls_in_flight_ == 0; });
}

void GatewayLink::BeginShutdown() {
  refusing_ = true;
  if (shutting_down_.exchange(true)) return;
  boost::asio::post(io_, [this] {
    calls_.FailAll(absl::UnavailableError("wxbridge is shutting down"));
    SetState(wxbridge::v1::UPSTREAM_STATE_SHUTTING_DOWN, "wxbridge is shutting down", 0,
             std::chrono::milliseconds(0));
  });
}

void GatewayLink::Stop() {
  if (!started_ || stopped_.exchange(true)) return;
  BeginShutdown();
  boost::asio::post(io_, [this] {
    // A peer that never answers the close frame must not hold the process; a pending
    // guard keeps io_ running, so a clean close cancels it.
    auto guard = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::seconds(3));
    guard->async_wait([this, guard](const boost::system::error_code& ec) {
      if (!ec) io_.stop();
    });
    upstream_->Stop([this, guard] {
      guard->cancel();
      work_.reset();
    });
  });
  if (thread_.joinable()) thread_.join();
  outgoing_.clear();
}

void GatewayLink::SetStateListener(std::function<void(UpstreamState)> listener) {
  state_listener_ = std::move(listener);
}

protocol::FrameStamp GatewayLink::NextStamp() {
  protocol::FrameStamp stamp;
  stamp.msg_id = next_msg_id_.fetch_add(1);
  stamp.cmd_id = absl::StrCat(cmd_id_prefix_, stamp.msg_id);
  return stamp;
}

void GatewayLink::Execute(protocol::Command command, Clock::time_point deadline,
                          calls::CallDone done) {
  if (refusing_) {
    calls::CallResult result;
    result.status = absl::UnavailableError("wxbridge is shutting down");
    done(std::move(result));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(calls_mutex_);
    ++calls_in_flight_;
  }
  // Counted until it completes, so that shutdown can give in-flight calls their grace.
  done = [this, done = std::move(done)](calls::CallResult result) {
    done(std::move(result));
    std::lock_guard<std::mutex> lock(calls_mutex_);
    if (--calls_in_flight_ == 0) calls_done_.notify_all();
  };
  protocol::FrameStamp stamp = NextStamp();
  auto frame = std::make_shared<const std::string>(
      protocol::EncodeFrame(command, config_.auth_key, stamp));
  boost::asio::post(io_, [this, command = std::move(command), stamp = std::move(stamp),
                          frame = std::move(frame), deadline,
                          done = std::move(done)]() mutable {
    Register(std::move(command), std::move(stamp), std::move(frame), deadline,
             std::move(done));
  });
}

void GatewayLink::Register(protocol::Command command, protocol::FrameStamp stamp,
                           std::shared_ptr<const std::string> frame,
                           Clock::time_point deadline, calls::CallDone done) {
  calls::CallResult refused;
  if (shutting_down_) {
    refused.status = absl::UnavailableError("wxbridge is shutting down");
  } else if (state_ == wxbridge::v1::UPSTREAM_STATE_AUTH_REJECTED) {
    refused.status = calls::AuthRejectedError();
  }
  if (!refused.status.ok()) {
    done(std::move(refused));
    return;
  }
  const uint64_t id = stamp.msg_id;
  calls_.Add(stamp, command, [this, id, done = std::move(done)](calls::CallResult result) {
    outgoing_.erase(id);  // cancels the deadline timer
    done(std::move(result));
  });
  Outgoing& out = outgoing_[id];
  out.frame = std::move(frame);
  out.deadline = std::make_unique<boost::asio::steady_timer>(io_, deadline);
  out.deadline->async_wait([this, id](const boost::system::error_code& ec) {
    if (!ec) OnDeadline(id);
  });
  if (!upstream_->Write(out.frame, id)) waiting_.push_back(id);
}

void GatewayLink::OnDeadline(uint64_t id) { calls_.Expire(id, UnavailableStatus()); }

absl::Status GatewayLink::UnavailableStatus() const {
  return absl::UnavailableError(absl::StrCat(
      "the gateway was not reachable before the call's deadline (upstream ",
      StateName(state_.load()), last_attempt_ ? absl::StrCat(", attempt ", last_attempt_) : "",
      last_detail_.empty() ? "" : ": ", last_detail_, ")"));
}

void GatewayLink::OnConnected() {
  calls_.ResetAckMode();
  ack_mode_ = calls_.ack_mode();
  // Code 100 goes first on every connection; its reply (if echoed) teaches the ack mode.
  protocol::Command rebind = protocol::RebindCommand();
  protocol::FrameStamp stamp = NextStamp();
  auto frame = std::make_shared<const std::string>(
      protocol::EncodeFrame(rebind, config_.auth_key, stamp));
  Register(std::move(rebind), std::move(stamp), std::move(frame),
           Clock::now() + config_.rebind_timeout, [](calls::CallResult result) {
             Log(LogLevel::kDebug, "gateway", "re-bind (code 100) completed: ",
                 result.status.ToString());
           });
  FlushWaiting();
}

void GatewayLink::FlushWaiting() {
  while (!waiting_.empty()) {
    const uint64_t id = waiting_.front();
    auto it = outgoing_.find(id);
    if (it != outgoing_.end() && !upstream_->Write(it->second.frame, id)) return;
    waiting_.pop_front();
  }
}

void GatewayLink::OnWritten(uint64_t id) {
  counters_.frames_sent++;
  auto it = outgoing_.find(id);
  if (it != outgoing_.end()) it->second.frame.reset();  // large images: free early
  calls_.OnWritten(id);
  ack_mode_ = calls_.ack_mode();
}

void GatewayLink::OnWriteFailed(uint64_t id) {
  // Still outstanding: it goes out on the next connection, unless its deadline is first.
  if (outgoing_.count(id)) waiting_.push_back(id);
}

void GatewayLink::OnFrame(std::string frame, bool binary) {
  counters_.frames_received++;
  wxbridge::v1::Event event =
      binary ? protocol::DecodeBinaryFrame(frame) : protocol::DecodeFrame(frame);
  if (event.has_unrecognized()) {
    counters_.frames_unrecognized++;
    Log(LogLevel::kWarning, "gateway", "unrecognized frame (",
        wxbridge::v1::UnrecognizedReason_Name(event.unrecognized().reason()),
        "): ", event.unrecognized().detail());
  }
  events::StoredEventPtr stored = log_->Append(std::move(event));
  accounts_.Observe(stored->event());
  calls_.OnEvent(stored);
  ack_mode_ = calls_.ack_mode();
  if (stored->event().has_gateway_error() &&
      stored->event().gateway_error().auth_rejected()) {
    SetState(wxbridge::v1::UPSTREAM_STATE_AUTH_REJECTED,
             "the gateway refused the authKey (授权码无效)", 0, std::chrono::milliseconds(0));
    calls_.FailAll(calls::AuthRejectedError());
  }
}

void GatewayLink::OnState(UpstreamState state, const std::string& detail, uint32_t attempt,
                          std::chrono::milliseconds retry_in) {
  if (shutting_down_) return;
  if (state == wxbridge::v1::UPSTREAM_STATE_CONNECTED) {
    if (ever_connected_) counters_.reconnects++;
    ever_connected_ = true;
    connected_since_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  }
  SetState(state, detail, attempt, retry_in);
}

void GatewayLink::SetState(UpstreamState state, const std::string& detail, uint32_t attempt,
                           std::chrono::milliseconds retry_in) {
  state_ = state;
  last_detail_ = detail;
  last_attempt_ = attempt;
  Log(state == wxbridge::v1::UPSTREAM_STATE_CONNECTED ? LogLevel::kInfo : LogLevel::kWarning,
      "gateway", "upstream ", StateName(state), detail.empty() ? "" : ": ", detail,
      retry_in.count() > 0 ? absl::StrCat(" (retry in ", retry_in.count(), " ms)") : "");
  wxbridge::v1::Event event;
  auto* bridge_state = event.mutable_bridge_state();
  bridge_state->set_state(state);
  bridge_state->set_detail(detail);
  bridge_state->set_attempt(attempt);
  if (retry_in.count() > 0) {
    *bridge_state->mutable_retry_in() = TimeUtil::MillisecondsToDuration(retry_in.count());
  }
  log_->Append(std::move(event));
  if (state_listener_) state_listener_(state);
}

void GatewayLink::CountCall(bool ok) {
  (ok ? counters_.calls_succeeded : counters_.calls_failed)++;
}

void GatewayLink::FillStatus(wxbridge::v1::GetStatusResponse* response) const {
  response->set_upstream_state(state_.load());
  response->set_upstream_url(upstream::RedactUrl(config_.upstream.url));
  response->set_ack_mode(ack_mode_.load());
  if (const int64_t since = connected_since_ms_.load(); since > 0) {
    *response->mutable_connected_since() = TimeUtil::MillisecondsToTimestamp(since);
  }
  accounts_.FillStatus(response);
  auto* counters = response->mutable_counters();
  counters->set_frames_received(counters_.frames_received);
  counters->set_frames_sent(counters_.frames_sent);
  counters->set_calls_succeeded(counters_.calls_succeeded);
  counters->set_calls_failed(counters_.calls_failed);
  counters->set_reconnects(counters_.reconnects);
  counters->set_frames_unrecognized(counters_.frames_unrecognized);
}

}  // namespace wxbridge::bridge
