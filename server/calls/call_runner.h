// A call's whole life, from the RPC handing over its command to the one `done` that ends
// it: stamping (msgId/cmdId), encoding, pacing (a paced call's frame is held with a
// timer until its turn), queueing the frame, the deadline, correlation
// with inbound events (CallTable), cancellation, completion and counting. A call that
// ends for any reason takes its frame out of the write queue, so the gateway never sees
// a request whose caller was already answered.
//
// Start, Cancel, WaitForCalls and the counters are thread-safe; every other method runs
// on the I/O thread of the io_context given, where `done` runs too.
#ifndef WXBRIDGE_SERVER_CALLS_CALL_RUNNER_H_
#define WXBRIDGE_SERVER_CALLS_CALL_RUNNER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/steady_timer.hpp"
#include "server/calls/call_table.h"
#include "server/common/limits.h"
#include "server/pacing/send_pacer.h"
#include "server/protocol/command_builder.h"

namespace wxbridge::calls {

// What the runner needs from the rest of the bridge; every function runs on the I/O
// thread.
struct CallRunnerHooks {
  // Queues a request frame under `request_id`; `first` puts it ahead of frames not yet
  // being written (the re-bind). A non-OK status ends the call with it.
  std::function<absl::Status(uint64_t request_id, std::shared_ptr<const std::string> frame,
                             bool first)>
      enqueue;
  // The call has ended: its frame must not be written any more. False when that is too
  // late: the frame is being written (or already was).
  std::function<bool(uint64_t request_id)> withdraw;
  // Asked as each call starts; a non-OK status (shutting down, authKey refused) ends it.
  std::function<absl::Status()> admit;
  // The status of a call whose deadline came before its frame was written.
  std::function<absl::Status()> unsent_status;
};

struct CallRunnerOptions {
  // Goes into every frame; never logged or returned.
  std::string auth_key;
  // How long the code-100 re-bind waits for an echoed reply (to learn the ack mode).
  std::chrono::milliseconds rebind_timeout{10000};
  // The largest encoded frame: a call whose frame is larger ends RESOURCE_EXHAUSTED at
  // once, nothing sent (JSON escaping can make a frame six times its text). The server
  // assembly sets it from upstream.max_frame_bytes (--max_frame_bytes), its one source.
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  // Calls started and not yet ended (--max_calls_in_flight); a call beyond it ends
  // RESOURCE_EXHAUSTED at once, counted as failed.
  std::size_t max_calls_in_flight = 10000;
};

struct CallCounters {
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t in_flight = 0;
};

class CallRunner {
 public:
  using Clock = std::chrono::steady_clock;

  // `pacer`, when not null, paces the callers' calls (never the re-bind) and must
  // outlive the runner.
  CallRunner(boost::asio::io_context& io, CallRunnerOptions options, CallRunnerHooks hooks,
             pacing::SendPacer* pacer = nullptr);
  ~CallRunner();

  // Starts a call. The frame is stamped and encoded on the calling thread (a large image
  // must not hold up the I/O thread), then registered on the I/O thread. `done` runs
  // exactly once: here at once when `command` is an error, otherwise on the I/O thread.
  // Returns the call's request id, for Cancel (0 when it ended here).
  uint64_t Start(absl::StatusOr<protocol::Command> command, Clock::time_point deadline,
                 CallDone done);
  // The caller gave up: the call ends CANCELLED, its frame unwritten if it still can be.
  void Cancel(uint64_t request_id);
  // Waits until every call started so far has ended, or `deadline`; true when none is
  // left.
  bool WaitForCalls(Clock::time_point deadline);

  // I/O thread. A new connection: forgets the learned ack mode and queues code 100 ahead
  // of everything waiting.
  void OnConnected();
  void OnWritten(uint64_t request_id);
  // The connection dropped while the call's frame was being written. True when the call
  // still waits and its deadline has not passed: the frame goes out again and the call's
  // ack says so (CommandAck.resent).
  // A frame is written again once at most: interrupted a second time, its call ends
  // ABORTED (a gateway that resets the connection on a frame it refuses, instead of
  // closing with 1009, would otherwise get it on every reconnect).
  bool ResendInterrupted(uint64_t request_id);
  // The gateway closed the connection with 1009, refusing the call's `bytes`-byte frame:
  // the call ends RESOURCE_EXHAUSTED and the frame is never written again.
  void RefusedTooBig(uint64_t request_id, std::size_t bytes);
  void OnEvent(const events::StoredEventPtr& event);
  // Ends every call with `status`.
  void FailAll(const absl::Status& status);

  wxbridge::v1::GatewayAckMode ack_mode() const { return ack_mode_.load(); }
  CallCounters counters() const;

 private:
  struct Pending {
    Clock::time_point deadline;
    bool resent = false;
    std::unique_ptr<boost::asio::steady_timer> timer;
    // While pacing holds the frame back (held): the hold's timer and start, and the
    // call's code and account (the pacer's lane).
    bool held = false;
    std::unique_ptr<boost::asio::steady_timer> hold;
    Clock::time_point held_since;
    int held_code = 0;
    std::string held_account;
  };

  protocol::FrameStamp NextStamp();
  // Takes a slot for a caller's call; false when max_calls_in_flight are taken.
  bool TakeInFlightSlot();
  void ReleaseInFlightSlot();
  // Ends a call that never reached the I/O thread, on the calling thread.
  void Refuse(const absl::Status& status, const CallDone& done);
  void OnDeadline(uint64_t request_id);
  // Queues the call's frame for the gateway.
  void Send(uint64_t request_id, std::shared_ptr<const std::string> frame, bool first);
  // Holds a paced call's frame until `until`, then sends it.
  void Hold(Pending& pending, uint64_t request_id, const protocol::Command& command,
            Clock::time_point until, std::shared_ptr<const std::string> frame);
  // The call's hold, if any, is over (its time came, or the call ended): tells the pacer
  // and the call's ack how long it was.
  void EndHold(uint64_t request_id);
  void Register(const protocol::Command& command, const protocol::FrameStamp& stamp,
                std::shared_ptr<const std::string> frame, Clock::time_point deadline, bool internal,
                CallDone done);
  // Every call ends here.
  void Finish(uint64_t request_id, bool internal, CallResult result, const CallDone& done);
  void Count(bool ok);

  boost::asio::io_context& io_;
  const CallRunnerOptions options_;
  const CallRunnerHooks hooks_;
  pacing::SendPacer* const pacer_;
  const std::string cmd_id_prefix_;
  std::atomic<uint64_t> next_msg_id_{1};
  std::atomic<wxbridge::v1::GatewayAckMode> ack_mode_{wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED};
  std::atomic<uint64_t> succeeded_{0};
  std::atomic<uint64_t> failed_{0};

  mutable std::mutex in_flight_mutex_;
  std::condition_variable all_done_;
  uint64_t in_flight_ = 0;  // started by callers and not yet ended

  // I/O thread only.
  CallTable table_;
  std::unordered_map<uint64_t, Pending> pending_;
  uint64_t rebind_id_ = 0;  // the current connection's re-bind, while it waits
};

}  // namespace wxbridge::calls

#endif  // WXBRIDGE_SERVER_CALLS_CALL_RUNNER_H_
