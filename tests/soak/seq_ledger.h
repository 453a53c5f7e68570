// What every subscriber saw, by seq, shared by all of them: the first subscriber to read
// a seq records the event's fingerprint, every later one must read the same event there.
// It also keeps the soak's marker texts (injected in order by the chaos driver) so the
// end can check that no frame became two events.
#ifndef WXBRIDGE_TESTS_SOAK_SEQ_LEDGER_H_
#define WXBRIDGE_TESTS_SOAK_SEQ_LEDGER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "wxbridge/v1/events.pb.h"

namespace wxbridge::soak {

// Text pushes the chaos driver injects: "<prefix><n>", n counting up from 1.
inline constexpr char kMarkerPrefix[] = "soak-marker-";

class SeqLedger {
 public:
  // Records `event`; false (and `why` set) when another subscriber read a different event
  // at this seq.
  bool Record(const v1::Event& event, std::string* why);

  struct Audit {
    uint64_t seqs_known = 0;      // seqs in [1, head] some subscriber read
    uint64_t gateway_events = 0;  // of those, events made from gateway frames
    uint64_t markers = 0;
    std::vector<std::string> problems;  // a marker seen twice or out of order
  };
  // Checks seqs 1..head.
  Audit Check(uint64_t head) const;
  // The seq at which marker `marker` was first read, 0 when not (yet).
  uint64_t SeqOfMarker(uint64_t marker) const;

 private:
  struct Entry {
    uint64_t fingerprint = 0;  // 0: not read yet
    bool from_gateway = false;
  };

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;              // by seq
  std::map<uint64_t, uint64_t> marker_at_;  // seq -> marker number
  std::map<uint64_t, uint64_t> seq_of_marker_;
};

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_SEQ_LEDGER_H_
