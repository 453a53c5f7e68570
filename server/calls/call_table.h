// Outstanding command calls, matched to inbound events by the correlation rules of
// docs/protocol.md. Single-threaded: every method runs on the upstream I/O thread. Holds no
// timers; the owner calls Expire() at each call's deadline.
#ifndef WXBRIDGE_SERVER_CALLS_CALL_TABLE_H_
#define WXBRIDGE_SERVER_CALLS_CALL_TABLE_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "server/calls/correlation_rule.h"
#include "server/events/event_log.h"
#include "server/protocol/command_builder.h"
#include "server/protocol/frame_encoder.h"
#include "wxbridge/v1/common.pb.h"

namespace wxbridge::calls {

// What a call ended with. `status` is OK or the error to return to the caller.
struct CallResult {
  absl::Status status;
  wxbridge::v1::CommandAck ack;
  // The events that answered the call, in arrival order (status, contacts, group change,
  // echoed reply).
  std::vector<events::StoredEventPtr> replies;
  // GetContacts: requested ids that never arrived.
  std::vector<std::string> missing_wx_ids;
};
using CallDone = std::function<void(CallResult)>;

// The status of every call the gateway refuses for the authKey (MsgType -1 "授权码无效").
absl::Status AuthRejectedError();

class CallTable {
 public:
  // Registers a call whose frame carries `stamp` (msg_id must be unique and non-zero).
  // `done` runs exactly once, from one of the methods below.
  void Add(const protocol::FrameStamp& stamp, const protocol::Command& command, CallDone done);
  // The call's frame reached the socket. Completes calls that have nothing else to wait
  // for.
  void OnWritten(uint64_t msg_id);
  // Every inbound event; completes the calls it answers.
  void OnEvent(const events::StoredEventPtr& event);
  // The call's wait is over. A call whose frame will never be written (`unsent`)
  // completes with `unsent_status`; one whose frame was still being written fails
  // DEADLINE_EXCEEDED saying so; GetContacts returns what arrived; others fail
  // DEADLINE_EXCEEDED.
  void Expire(uint64_t msg_id, bool unsent, const absl::Status& unsent_status);
  // Completes the call with `status` (cancelled, refused), if it is still outstanding.
  void Fail(uint64_t msg_id, const absl::Status& status);
  // Completes every outstanding call with `status` (auth rejected, shutdown).
  void FailAll(const absl::Status& status);
  // The call's frame is written a second time (the connection dropped during the first
  // write): its ack will say so.
  void MarkResent(uint64_t msg_id);
  // The call's frame was held back `held` by send pacing: its ack will say so.
  void MarkHeld(uint64_t msg_id, std::chrono::nanoseconds held);

  bool Contains(uint64_t msg_id) const { return calls_.count(msg_id) != 0; }
  bool IsWritten(uint64_t msg_id) const;
  std::size_t size() const { return calls_.size(); }

  // Learned from replies: ECHO once a reply echoes a stamp, NONE once a reply-type frame
  // answers a call without one. New connections start unlearned.
  wxbridge::v1::GatewayAckMode ack_mode() const { return ack_mode_; }
  void ResetAckMode() {
    ack_mode_ = wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED;
    written_unechoed_.clear();
  }

 private:
  struct Call {
    protocol::FrameStamp stamp;
    int code = 0;
    CorrelationRule rule = CorrelationRule::kEchoOnly;
    std::string account;
    std::string group_id;
    std::vector<std::string> wanted_ids;  // kContacts, request order, unique
    std::unordered_map<std::string, events::StoredEventPtr> found;  // by user name
    std::vector<events::StoredEventPtr> replies;
    bool written = false;
    bool echoed = false;
    bool resent = false;
    std::chrono::nanoseconds held{0};
    CallDone done;
  };
  using CallMap = std::map<uint64_t, Call>;  // ordered by msg_id: oldest first

  bool MatchEcho(const events::StoredEventPtr& event);
  // An echo of a call that already completed on write: true (and ECHO learned) when it is
  // one of written_unechoed_.
  bool LearnFromLateEcho(const wxbridge::v1::Event& event);
  void MatchEffect(const events::StoredEventPtr& event);
  // Returns true when the call is now complete (and was removed).
  bool Answer(CallMap::iterator it, const events::StoredEventPtr& event, bool echoed);
  void Complete(CallMap::iterator it, absl::Status status, wxbridge::v1::Completion completion,
                uint64_t reply_seq);

  CallMap calls_;
  std::unordered_map<std::string, uint64_t> by_cmd_id_;
  std::unordered_set<uint64_t> effect_waiters_;
  wxbridge::v1::GatewayAckMode ack_mode_ = wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED;
  // cmdIds of the last calls that completed on write while the mode was unlearned (the
  // re-bind, first of all): their echo, arriving after, still teaches ECHO.
  std::deque<std::string> written_unechoed_;
};

}  // namespace wxbridge::calls

#endif  // WXBRIDGE_SERVER_CALLS_CALL_TABLE_H_
