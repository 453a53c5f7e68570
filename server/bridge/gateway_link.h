// The bridge's side of the gateway, assembled: the upstream I/O thread and its lifecycle,
// the WebSocket client (and its write queue), the calls, the inbound pipeline, and the
// upstream state that GetStatus, the health service and bridge-state events report.
// Every public method is thread-safe.
#ifndef WXBRIDGE_SERVER_BRIDGE_GATEWAY_LINK_H_
#define WXBRIDGE_SERVER_BRIDGE_GATEWAY_LINK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "server/bridge/account_book.h"
#include "server/bridge/inbound_pipeline.h"
#include "server/calls/call_runner.h"
#include "server/calls/command_executor.h"
#include "server/events/event_store.h"
#include "server/pacing/send_pacer.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::bridge {

struct GatewayLinkConfig {
  upstream::UpstreamConfig upstream;
  calls::CallRunnerOptions calls;
  // Send pacing and the loop guard; none: calls are sent as they come.
  std::optional<pacing::PacingConfig> pacing;
};

// Moves only forward.
enum class LinkPhase {
  kCreated,       // Start() not called yet
  kRunning,       // connecting or connected; calls accepted
  kDraining,      // new calls refused; calls already made go on
  kShuttingDown,  // every call has been failed; the upstream is about to close
  kStopped,       // the socket is closed and the I/O thread joined
};

class GatewayLink final : public calls::CommandExecutor {
 public:
  using Clock = std::chrono::steady_clock;

  GatewayLink(GatewayLinkConfig config, events::EventStore* log);
  ~GatewayLink();  // Stop()s.

  // Rebuilds the account list from the log's login statuses (a restart on a durable
  // log); an error when the log cannot be read. Before Start().
  absl::Status RestoreAccounts() { return accounts_.Restore(*log_); }
  // Cluster mode, on a replica without the upstream: takes the accounts' statuses from
  // the events another replica logged after `after_seq`; returns the seq read up to.
  absl::StatusOr<uint64_t> FollowAccounts(uint64_t after_seq) {
    return accounts_.ObserveAfter(*log_, after_seq);
  }
  // Starts the I/O thread and the first connection attempt.
  void Start();
  // From now on new calls fail UNAVAILABLE; calls already made go on.
  void RefuseNewCalls();
  // Waits until every call made through Execute() has completed, or `deadline`; true
  // when none is left.
  bool WaitForCalls(Clock::time_point deadline);
  // Refuses new calls and fails the outstanding ones with UNAVAILABLE.
  void BeginShutdown();
  // Shuts down, closes the socket with a close frame and joins the I/O thread.
  // Idempotent.
  void Stop();

  // Sends `command` (or ends at once with its error) and runs `done` when the call
  // completes by the correlation rules, or at `deadline`. Returns the id to Cancel() it
  // with (0 when it has already ended).
  uint64_t Execute(absl::StatusOr<protocol::Command> command, Clock::time_point deadline,
                   calls::CallDone done) override;
  // The caller of `request_id` gave up.
  void Cancel(uint64_t request_id) override;

  wxbridge::v1::UpstreamState state() const { return state_.load(); }
  // Called on the I/O thread after every state change (for the health service). Set
  // before Start().
  void SetStateListener(std::function<void(wxbridge::v1::UpstreamState)> listener);
  // Upstream, accounts and counters (not the event log's or subscribers' fields).
  void FillStatus(wxbridge::v1::GetStatusResponse* response) const;
  // Bytes of gateway frames received and of request frames written, for metrics (the
  // frame counts are in FillStatus).
  uint64_t bytes_received() const { return inbound_.bytes_received(); }
  uint64_t bytes_sent() const { return upstream_->written_bytes(); }
  // The send pacer; null when pacing is off.
  const pacing::SendPacer* pacer() const { return pacer_.get(); }

 private:
  // Moves the phase forward to `to`; false when it was already there or beyond.
  bool AdvanceTo(LinkPhase to);
  absl::Status Admit() const;
  // Logs a warning when the gateway is reached over ws:// beyond this machine.
  void WarnOfPlaintextUpstream() const;
  absl::Status UnavailableStatus() const;
  void OnFrame(const std::string& frame, bool binary);
  void OnState(wxbridge::v1::UpstreamState state, const std::string& detail, uint32_t attempt,
               std::chrono::milliseconds retry_in);
  void SetState(wxbridge::v1::UpstreamState state, const std::string& detail, uint32_t attempt,
                std::chrono::milliseconds retry_in);
  // The loop guard started refusing sends to a chat: one event and one log line.
  void OnLoopStopped(const pacing::LoopStop& stop);
  void FillPacingStatus(wxbridge::v1::GetStatusResponse* response) const;

  const GatewayLinkConfig config_;
  events::EventStore* const log_;
  std::atomic<LinkPhase> phase_{LinkPhase::kCreated};
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  AccountBook accounts_;
  std::unique_ptr<pacing::SendPacer> pacer_;  // null when pacing is off
  calls::CallRunner calls_;
  InboundPipeline inbound_;
  std::unique_ptr<upstream::UpstreamClient> upstream_;
  std::thread thread_;

  // I/O thread only.
  std::function<void(wxbridge::v1::UpstreamState)> state_listener_;
  std::string last_detail_;
  uint32_t last_attempt_ = 0;
  bool ever_connected_ = false;

  std::atomic<wxbridge::v1::UpstreamState> state_{wxbridge::v1::UPSTREAM_STATE_DISCONNECTED};
  std::atomic<int64_t> connected_since_ms_{0};
  std::atomic<uint64_t> frames_sent_{0};
  std::atomic<uint64_t> reconnects_{0};
};

}  // namespace wxbridge::bridge

#endif  // WXBRIDGE_SERVER_BRIDGE_GATEWAY_LINK_H_
