// What the gateway received, checked: no request frame (by msgId) arrived twice unless the
// call it belongs to said so (CommandAck.resent).
#ifndef WXBRIDGE_TESTS_SOAK_SENT_FRAME_AUDIT_H_
#define WXBRIDGE_TESTS_SOAK_SENT_FRAME_AUDIT_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace wxbridge::soak {

struct SentFrameAudit {
  uint64_t frames = 0;                // request frames the simulator read
  uint64_t twice = 0;                 // msgIds read more than once
  uint64_t twice_announced = 0;       // of those, the call's ack said resent
  std::vector<std::string> problems;  // the others (first few)
};

// `frames`: Simulator::ReceivedFrames(); `resent_ids`: request_id of every ack with resent.
SentFrameAudit AuditSentFrames(const std::vector<std::string>& frames,
                               const std::set<uint64_t>& resent_ids);

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_SENT_FRAME_AUDIT_H_
