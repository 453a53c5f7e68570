// The bridge's side of the gateway: owns the upstream I/O thread, the WebSocket client,
// the outstanding calls and the inbound pipeline (frame -> Event -> log -> calls).
// Execute() is thread-safe; the heavy encoding (base64 images) happens on the caller's
// thread so one large frame never holds up the I/O thread.
#ifndef WXBRIDGE_SERVER_BRIDGE_GATEWAY_LINK_H_
#define WXBRIDGE_SERVER_BRIDGE_GATEWAY_LINK_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/steady_timer.hpp"
#include "server/bridge/account_book.h"
#include "server/calls/call_table.h"
#include "server/events/event_log.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::bridge {

struct GatewayLinkConfig {
  upstream::UpstreamConfig upstream;
  // Sent on every frame; never logged or returned.
  std::string auth_key;
  // How long the code-100 re-bind waits for an echoed reply (to learn the ack mode).
  std::chrono::milliseconds rebind_timeout{10000};
};

class GatewayLink {
 public:
  using Clock = std::chrono::steady_clock;

  GatewayLink(GatewayLinkConfig config, events::EventLog* log);
  ~GatewayLink();  // Stop()s.

  // Starts the I/O thread and the first connection attempt.
  void Start();
  // Fails outstanding calls (UNAVAILABLE), closes the socket with a close frame and joins
  // the I/O thread. Idempotent.
  void Stop();
  // From now on new calls fail UNAVAILABLE; calls already made go on.
  void RefuseNewCalls();
  // Waits until every call made through Execute() has completed, or `deadline`; true
  // when none is left.
  bool WaitForCalls(Clock::time_point deadline);
  // Refuses new calls and fails the outstanding ones with UNAVAILABLE.
  void BeginShutdown();

  // Sends `command` and runs `done` (on the I/O thread) when it completes by the
  // correlation rules, or at `deadline`.
  void Execute(protocol::Command command, Clock::time_point deadline, calls::CallDone done);

  wxbridge::v1::UpstreamState state() const { return state_.load(); }
  // Called on the I/O thread after every state change (for the health service).
  void SetStateListener(std::function<void(wxbridge::v1::UpstreamState)> listener);
  // Upstream, accounts and counters (not the event log's or subscribers' fields).
  void FillStatus(wxbridge::v1::GetStatusResponse* response) const;
  void CountCall(bool ok);

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> frame;
    std::unique_ptr<boost::asio::steady_timer> deadline;
  };

  void Register(protocol::Command command, protocol::FrameStamp stamp,
                std::shared_ptr<const std::string> frame, Clock::time_point deadline,
                calls::CallDone done);
  void OnConnected();
  void OnFrame(std::string frame, bool binary);
  void OnWritten(uint64_t msg_id);
  void OnWriteFailed(uint64_t msg_id);
  void OnState(wxbridge::v1::UpstreamState state, const std::string& detail,
               uint32_t attempt, std::chrono::milliseconds retry_in);
  void OnDeadline(uint64_t msg_id);
  void SetState(wxbridge::v1::UpstreamState state, const std::string& detail,
                uint32_t attempt, std::chrono::milliseconds retry_in);
  void FlushWaiting();
  protocol::FrameStamp NextStamp();
  absl::Status UnavailableStatus() const;

  const GatewayLinkConfig config_;
  events::EventLog* const log_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<upstream::UpstreamClient> upstream_;
  std::thread thread_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> refusing_{false};
  std::mutex calls_mutex_;  // guards calls_in_flight_
  std::condition_variable calls_done_;
  std::size_t calls_in_flight_ = 0;

  // I/O thread only.
  calls::CallTable calls_;
  std::map<uint64_t, Outgoing> outgoing_;  // by msg_id: frames of outstanding calls
  std::deque<uint64_t> waiting_;           // not yet written, oldest first
  std::function<void(wxbridge::v1::UpstreamState)> state_listener_;
  std::string last_detail_;
  uint32_t last_attempt_ = 0;

  std::atomic<wxbridge::v1::UpstreamState> state_{wxbridge::v1::UPSTREAM_STATE_DISCONNECTED};
  std::atomic<wxbridge::v1::GatewayAckMode> ack_mode_{
      wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED};
  std::atomic<int64_t> connected_since_ms_{0};
  std::atomic<uint64_t> next_msg_id_{1};
  const std::string cmd_id_prefix_;
  AccountBook accounts_;
  struct Counters {
    std::atomic<uint64_t> frames_received{0}, frames_sent{0}, calls_succeeded{0},
        calls_failed{0}, reconnects{0}, frames_unrecognized{0};
  } counters_;
  bool ever_connected_ = false;
};

}  // namespace wxbridge::bridge

#endif  // WXBRIDGE_SERVER_BRIDGE_GATEWAY_LINK_H_
