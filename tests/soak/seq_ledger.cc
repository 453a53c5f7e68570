#include "tests/soak/seq_ledger.h"

#include <algorithm>
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::soak {

bool SeqLedger::Record(const v1::Event& event, std::string* why) {
  // Every subscriber gets the same stored bytes for a seq, so equal events serialize alike.
  const uint64_t fingerprint = std::hash<std::string>()(event.SerializeAsString()) | 1;
  const uint64_t seq = event.seq();
  uint64_t marker = 0;
  if (event.has_text() && absl::StartsWith(event.text().text(), kMarkerPrefix)) {
    if (!absl::SimpleAtoi(event.text().text().substr(sizeof(kMarkerPrefix) - 1), &marker)) {
      marker = 0;
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() <= seq) entries_.resize(seq + 1 + entries_.size() / 2);
  Entry& entry = entries_[seq];
  if (entry.fingerprint == 0) {
    entry.fingerprint = fingerprint;
    entry.from_gateway = !event.has_bridge_state();
    if (marker != 0) {
      marker_at_[seq] = marker;
      seq_of_marker_.emplace(marker, seq);  // the first; Check() reports a second
    }
    return true;
  }
  if (entry.fingerprint == fingerprint) return true;
  *why = absl::StrCat("seq ", seq, " is a different event than another subscriber read there");
  return false;
}

SeqLedger::Audit SeqLedger::Check(uint64_t head) const {
  Audit audit;
  std::lock_guard<std::mutex> lock(mutex_);
  for (uint64_t seq = 1; seq <= head && seq < entries_.size(); ++seq) {
    if (entries_[seq].fingerprint == 0) continue;
    ++audit.seqs_known;
    if (entries_[seq].from_gateway) ++audit.gateway_events;
  }
  uint64_t previous = 0;
  for (const auto& [seq, marker] : marker_at_) {
    if (seq > head) break;
    ++audit.markers;
    if (marker == previous) {
      audit.problems.push_back(absl::StrCat("marker ", marker, " delivered twice (again at seq ",
                                            seq, "): one frame became two events"));
    } else if (marker < previous) {
      audit.problems.push_back(
          absl::StrCat("marker ", marker, " at seq ", seq, " came after marker ", previous));
    }
    previous = std::max(previous, marker);
  }
  return audit;
}

uint64_t SeqLedger::SeqOfMarker(uint64_t marker) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = seq_of_marker_.find(marker);
  return it == seq_of_marker_.end() ? 0 : it->second;
}

}  // namespace wxbridge::soak
