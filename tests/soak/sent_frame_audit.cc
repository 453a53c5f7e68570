#include "tests/soak/sent_frame_audit.h"

#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace wxbridge::soak {
namespace {

constexpr std::size_t kProblemsKept = 20;

struct Seen {
  int code = 0;
  int times = 0;
};

}  // namespace

SentFrameAudit AuditSentFrames(const std::vector<std::string>& frames,
                               const std::set<uint64_t>& resent_ids) {
  SentFrameAudit audit;
  std::unordered_map<uint64_t, Seen> by_msg_id;
  for (const std::string& frame : frames) {
    const nlohmann::json json = nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) continue;
    auto msg_id = json.find("msgId");
    if (msg_id == json.end() || !msg_id->is_number_unsigned()) continue;
    ++audit.frames;
    Seen& seen = by_msg_id[msg_id->get<uint64_t>()];
    seen.code = json.value("code", 0);
    ++seen.times;
  }
  for (const auto& [msg_id, seen] : by_msg_id) {
    if (seen.times < 2) continue;
    ++audit.twice;
    if (resent_ids.count(msg_id) != 0) {
      ++audit.twice_announced;
    } else if (audit.problems.size() < kProblemsKept) {
      audit.problems.push_back(absl::StrCat("msgId ", msg_id, " (code ", seen.code,
                                            ") reached the ", "gateway ", seen.times,
                                            " times and no OK ack said resent"));
    }
  }
  return audit;
}

}  // namespace wxbridge::soak
