#include "tests/soak/soak_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace wxbridge::soak {
namespace {

void Row(std::ostream& out, const std::string& name, const std::string& value) {
  out << absl::StrFormat("  %-34s %s\n", name, value);
}

}  // namespace

void PrintSummary(const SoakOptions& options, const SoakFigures& f,
                  const std::vector<std::string>& problems, std::ostream& out) {
  out << absl::StrFormat(
      "wxsoak: %.0f s, %d subscribers, %d callers, seed %d, event_retention %d\n", f.seconds,
      options.subscribers, options.callers, options.seed, options.event_retention);
  Row(out, "frames read by the bridge", absl::StrCat(f.frames_read));
  Row(out, "events (head seq)", absl::StrCat(f.head_seq));
  Row(out, "gateway events seen / frames read",
      absl::StrCat(f.gateway_events, " / ", f.frames_read, " (", f.seqs_known, " of ", f.head_seq,
                   " seqs seen)"));
  Row(out, "deliveries (all subscribers)", absl::StrCat(f.deliveries));
  Row(out, "resumes", absl::StrCat(f.resumes));
  Row(out, "gaps (events they reported)", absl::StrCat(f.gaps, " (", f.missed, ")"));
  Row(out, "drops / bridge reconnects", absl::StrCat(f.chaos.drops, " / ", f.reconnects));
  Row(out, "stalls / read pauses", absl::StrCat(f.chaos.stalls, " / ", f.chaos.read_pauses));
  Row(out, "malformed / unknown frames", absl::StrCat(f.chaos.malformed, " / ", f.chaos.unknown));
  Row(out, "oversized / invalid UTF-8 frames",
      absl::StrCat(f.chaos.oversized, " / ", f.chaos.invalid_utf8));
  Row(out, "marker texts", absl::StrCat(f.chaos.markers));
  std::string by_status;
  for (const auto& [name, count] : f.calls_by_status) {
    absl::StrAppend(&by_status, by_status.empty() ? "" : ", ", name, " ", count);
  }
  Row(out, "calls", absl::StrCat(f.calls, ": ", by_status));
  for (const auto& [name, message] : f.status_example) {
    if (name != "OK") Row(out, absl::StrCat("  e.g. ", name), message.substr(0, 90));
  }
  Row(out, "calls hung / unclear status", absl::StrCat(f.hung, " / ", f.unclear));
  Row(out, "acks with resent", absl::StrCat(f.resent_acks));
  Row(out, "request frames / msgIds seen twice",
      absl::StrCat(f.request_frames, " / ", f.frames_twice, " (", f.frames_twice_announced,
                   " announced as resent)"));
  Row(out, "max RSS (VmHWM)",
      absl::StrFormat("%.1f MiB (bound %d MiB)", f.peak_rss_kib / 1024.0, options.max_rss_mib));
  Row(out, "exit status on SIGTERM",
      absl::StrCat(f.exit_code, f.sanitizer_report.empty() ? "" : "; sanitizer report in log"));
  for (const std::string& problem : problems) out << "  PROBLEM: " << problem << "\n";
  out << "  verdict: " << (problems.empty() ? "PASS" : "FAIL") << "\n";
}

}  // namespace wxbridge::soak
