#include "server/bridge/gateway_link.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "google/protobuf/util/time_util.h"
#include "server/common/log.h"
#include "server/common/loopback.h"
#include "server/common/unit_random.h"

namespace wxbridge::bridge {
namespace {

using google::protobuf::util::TimeUtil;
using wxbridge::v1::UpstreamState;

const char* StateName(UpstreamState state) {
  return wxbridge::v1::UpstreamState_Name(state).c_str() + sizeof("UPSTREAM_STATE_") - 1;
}

absl::Status ShuttingDownError() { return absl::UnavailableError("wxbridge is shutting down"); }

// A steady-clock time as wall-clock time, for GetStatus.
google::protobuf::Timestamp WallTime(std::chrono::steady_clock::time_point at) {
  const auto wall = std::chrono::system_clock::now() + (at - std::chrono::steady_clock::now());
  return TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count());
}

}  // namespace

GatewayLink::GatewayLink(GatewayLinkConfig config, events::EventStore* log)
    : config_(std::move(config)),
      log_(log),
      work_(boost::asio::make_work_guard(io_)),
      pacer_(config_.pacing ? std::make_unique<pacing::SendPacer>(
                                  *config_.pacing, MakeUnitRandom(),
                                  [this](const pacing::LoopStop& stop) { OnLoopStopped(stop); })
                            : nullptr),
      calls_(io_, config_.calls,
             calls::CallRunnerHooks{
                 [this](uint64_t id, std::shared_ptr<const std::string> frame, bool first) {
                   return upstream_->Write(std::move(frame), id, first);
                 },
                 [this](uint64_t id) { return upstream_->Withdraw(id); },
                 [this] { return Admit(); }, [this] { return UnavailableStatus(); }},
             pacer_.get()),
      inbound_(log, &accounts_, &calls_, config_.calls.auth_key) {
  upstream::UpstreamCallbacks callbacks;
  callbacks.on_connected = [this] { calls_.OnConnected(); };
  callbacks.on_frame = [this](const std::string& frame, bool binary) { OnFrame(frame, binary); };
  callbacks.on_written = [this](uint64_t id) {
    frames_sent_++;
    calls_.OnWritten(id);
  };
  callbacks.resend_interrupted = [this](uint64_t id) { return calls_.ResendInterrupted(id); };
  callbacks.on_refused_too_big = [this](uint64_t id, std::size_t bytes) {
    calls_.RefusedTooBig(id, bytes);
  };
  callbacks.on_state = [this](UpstreamState state, const std::string& detail, uint32_t attempt,
                              std::chrono::milliseconds retry_in) {
    OnState(state, detail, attempt, retry_in);
  };
  upstream_ =
      std::make_unique<upstream::UpstreamClient>(io_, config_.upstream, std::move(callbacks));
}

GatewayLink::~GatewayLink() { Stop(); }

bool GatewayLink::AdvanceTo(LinkPhase to) {
  LinkPhase current = phase_.load();
  while (current < to) {
    if (phase_.compare_exchange_weak(current, to)) return true;
  }
  return false;
}

void GatewayLink::Start() {
  if (!AdvanceTo(LinkPhase::kRunning)) return;
  WarnOfPlaintextUpstream();
  boost::asio::post(io_, [this] {
    SetState(wxbridge::v1::UPSTREAM_STATE_RECONNECTING,
             absl::StrCat("connecting to ", upstream::RedactUrl(config_.upstream.url)), 0,
             std::chrono::milliseconds(0));
    upstream_->Start();
  });
  thread_ = std::thread([this] { io_.run(); });
}

void GatewayLink::WarnOfPlaintextUpstream() const {
  absl::StatusOr<upstream::UpstreamUrl> url = upstream::ParseUpstreamUrl(config_.upstream.url);
  if (!url.ok() || url->tls || IsLoopbackHost(url->host)) return;
  Log(LogLevel::kWarning, "gateway", "upstream ", upstream::RedactUrl(config_.upstream.url),
      " is plain ws:// to a host other than this one: the authKey and every message travel "
      "in clear; use wss://");
}

void GatewayLink::RefuseNewCalls() { AdvanceTo(LinkPhase::kDraining); }

bool GatewayLink::WaitForCalls(Clock::time_point deadline) { return calls_.WaitForCalls(deadline); }

void GatewayLink::BeginShutdown() {
  if (!AdvanceTo(LinkPhase::kShuttingDown)) return;
  boost::asio::post(io_, [this] {
    calls_.FailAll(ShuttingDownError());
    SetState(wxbridge::v1::UPSTREAM_STATE_SHUTTING_DOWN, "wxbridge is shutting down", 0,
             std::chrono::milliseconds(0));
  });
}

void GatewayLink::Stop() {
  if (phase_.load() == LinkPhase::kCreated) {
    AdvanceTo(LinkPhase::kStopped);
    return;
  }
  BeginShutdown();
  if (!AdvanceTo(LinkPhase::kStopped)) return;
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
}

void GatewayLink::SetStateListener(std::function<void(UpstreamState)> listener) {
  state_listener_ = std::move(listener);
}

uint64_t GatewayLink::Execute(absl::StatusOr<protocol::Command> command, Clock::time_point deadline,
                              calls::CallDone done) {
  if (command.ok() && phase_.load() >= LinkPhase::kDraining) command = ShuttingDownError();
  return calls_.Start(std::move(command), deadline, std::move(done));
}

void GatewayLink::Cancel(uint64_t request_id) { calls_.Cancel(request_id); }

absl::Status GatewayLink::Admit() const {
  if (phase_.load() >= LinkPhase::kShuttingDown) return ShuttingDownError();
  if (state_.load() == wxbridge::v1::UPSTREAM_STATE_AUTH_REJECTED) {
    return calls::AuthRejectedError();
  }
  return absl::OkStatus();
}

absl::Status GatewayLink::UnavailableStatus() const {
  if (state_.load() == wxbridge::v1::UPSTREAM_STATE_CONNECTED) {
    return absl::UnavailableError(
        absl::StrCat("the gateway did not take the request before the call's deadline (",
                     upstream_->queued(), " frames, ", upstream_->queued_bytes(),
                     " bytes waiting to be written): it is reading slowly or not at all"));
  }
  return absl::UnavailableError(absl::StrCat(
      "the gateway was not reachable before the call's deadline (upstream ",
      StateName(state_.load()), last_attempt_ ? absl::StrCat(", attempt ", last_attempt_) : "",
      last_detail_.empty() ? "" : ": ", last_detail_, ")"));
}

void GatewayLink::OnFrame(const std::string& frame, bool binary) {
  events::StoredEventPtr stored = inbound_.OnFrame(frame, binary);
  if (stored->event().has_gateway_error() && stored->event().gateway_error().auth_rejected()) {
    SetState(wxbridge::v1::UPSTREAM_STATE_AUTH_REJECTED,
             "the gateway refused the authKey (授权码无效)", 0, std::chrono::milliseconds(0));
    calls_.FailAll(calls::AuthRejectedError());
  }
}

void GatewayLink::OnState(UpstreamState state, const std::string& detail, uint32_t attempt,
                          std::chrono::milliseconds retry_in) {
  if (phase_.load() >= LinkPhase::kShuttingDown) return;
  if (state == wxbridge::v1::UPSTREAM_STATE_CONNECTED) {
    if (ever_connected_) reconnects_++;
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

void GatewayLink::OnLoopStopped(const pacing::LoopStop& stop) {
  Log(LogLevel::kWarning, "pacing", "loop guard: account ", stop.account, " sent ", stop.limit,
      " messages to ", stop.chat, " within ", stop.window.count(),
      " ms; refusing further sends to it until older ones leave the window");
  wxbridge::v1::Event event;
  event.set_account(stop.account);
  auto* loop = event.mutable_loop_stopped();
  loop->set_chat(stop.chat);
  loop->set_limit(stop.limit);
  *loop->mutable_window() = TimeUtil::MillisecondsToDuration(stop.window.count());
  log_->Append(std::move(event));
}

void GatewayLink::FillPacingStatus(wxbridge::v1::GetStatusResponse* response) const {
  auto* status = response->mutable_pacing();
  status->set_enabled(pacer_ != nullptr);
  if (!pacer_) return;
  const pacing::PacingCounters counters = pacer_->counters();
  status->set_calls_held(counters.calls_held);
  status->set_calls_refused_deadline(counters.calls_refused_deadline);
  status->set_calls_refused_loop(counters.calls_refused_loop);
  status->set_loops_stopped(counters.loops_stopped);
  *status->mutable_total_held() = TimeUtil::NanosecondsToDuration(counters.total_held.count());
  auto* accounts = response->mutable_accounts();
  for (const pacing::AccountPacing& paced : pacer_->Accounts(Clock::now())) {
    auto it = std::find_if(accounts->begin(), accounts->end(),
                           [&](const auto& a) { return a.account() == paced.account; });
    wxbridge::v1::AccountStatus* account = nullptr;
    if (it != accounts->end()) {
      account = &*it;
    } else {
      account = response->add_accounts();
      account->set_account(paced.account);
    }
    account->set_paced_calls_queued(paced.queued);
    *account->mutable_next_message_at() = WallTime(paced.next_message_at);
    *account->mutable_next_social_at() = WallTime(paced.next_social_at);
  }
}

void GatewayLink::FillStatus(wxbridge::v1::GetStatusResponse* response) const {
  response->set_upstream_state(state_.load());
  response->set_upstream_url(upstream::RedactUrl(config_.upstream.url));
  response->set_ack_mode(calls_.ack_mode());
  if (const int64_t since = connected_since_ms_.load(); since > 0) {
    *response->mutable_connected_since() = TimeUtil::MillisecondsToTimestamp(since);
  }
  accounts_.FillStatus(response);
  const calls::CallCounters calls = calls_.counters();
  auto* counters = response->mutable_counters();
  counters->set_frames_received(inbound_.frames_received());
  counters->set_frames_sent(frames_sent_);
  counters->set_calls_succeeded(calls.succeeded);
  counters->set_calls_failed(calls.failed);
  counters->set_reconnects(reconnects_);
  counters->set_frames_unrecognized(inbound_.frames_unrecognized());
  counters->set_frames_queued(upstream_->queued());
  counters->set_bytes_queued(upstream_->queued_bytes());
  counters->set_calls_in_flight(calls.in_flight);
  FillPacingStatus(response);
}

}  // namespace wxbridge::bridge
