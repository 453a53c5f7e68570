// wxsoak: the chaos soak (docs/reliability.md, "Chaos soak"). Runs the real wxbridge as a
// child process in front of an in-process gateway simulator, with Subscribe readers (some
// cut off and resuming) and callers, while the simulator drops, stalls, stops reading and
// sends bad frames; then checks that nothing was lost, duplicated or left hanging.
// Exit status 0 when every check passed, 1 when one failed, 2 on a bad command line.
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "server/common/log.h"
#include "server/sim/simulator.h"
#include "tests/soak/bridge_child.h"
#include "tests/soak/chaos_driver.h"
#include "tests/soak/sent_frame_audit.h"
#include "tests/soak/seq_ledger.h"
#include "tests/soak/soak_caller.h"
#include "tests/soak/soak_report.h"
#include "tests/soak/soak_subscriber.h"
#include "tests/support/poll_until.h"

ABSL_FLAG(std::string, bridge, WXSOAK_BRIDGE_BINARY, "the wxbridge binary to soak");
ABSL_FLAG(int, subscribers, 6, "Subscribe streams (the first two are never cut off)");
ABSL_FLAG(int, callers, 4, "clients issuing unary calls back to back");
ABSL_FLAG(int, seconds, 60, "length of the chaos phase");
ABSL_FLAG(int, drops, 20, "connection drops spread over the run (faults cause more)");
ABSL_FLAG(uint64_t, seed, 1, "seed of every random choice");
ABSL_FLAG(int64_t, max_rss_mb, 256, "bound on the bridge's peak RSS (VmHWM), in MiB");
ABSL_FLAG(int64_t, event_retention, 1000,
          "the bridge's --event_retention (small, so that cut-off subscribers meet gaps)");
ABSL_FLAG(int64_t, big_text_kib, 256,
          "size of the large SendText (one call in twenty); its event is ~4x this, cut "
          "to the bridge's --max_event_bytes");
ABSL_FLAG(double, slowness, 1.0, "multiplies every grace and wait (sanitizer builds: 3-5)");
ABSL_FLAG(std::string, log_dir, ".", "where the bridge's log (wxsoak-bridge.log) goes");
ABSL_FLAG(bool, summary, true, "print the table of figures at the end");

namespace wxbridge::soak {
namespace {

namespace v1 = ::wxbridge::v1;

constexpr char kAuthKey[] = "wxsoak-key";

std::unique_ptr<grpc::ClientContext> Context(const SoakOptions& options) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + options.Scaled(milliseconds(10000)));
  return context;
}

std::optional<v1::GetStatusResponse> Status(v1::BridgeService::Stub& stub,
                                            const SoakOptions& options) {
  v1::GetStatusResponse status;
  if (!stub.GetStatus(Context(options).get(), v1::GetStatusRequest(), &status).ok()) {
    return std::nullopt;
  }
  return status;
}

// Waits until `condition(GetStatus())` holds.
bool WaitForStatus(v1::BridgeService::Stub& stub, const SoakOptions& options,
                   const std::function<bool(const v1::GetStatusResponse&)>& condition,
                   milliseconds timeout) {
  return testing::PollUntil(
      [&] {
        std::optional<v1::GetStatusResponse> status = Status(stub, options);
        return status && condition(*status);
      },
      options.Scaled(timeout));
}

bool AllLoggedIn(const v1::GetStatusResponse& status, int accounts) {
  int logged_in = 0;
  for (const v1::AccountStatus& account : status.accounts()) {
    if (account.last_status() == v1::LOGIN_STATUS_LOGGED_IN) ++logged_in;
  }
  return logged_in >= accounts;
}

class Soak {
 public:
  explicit Soak(SoakOptions options) : options_(std::move(options)) {}

  int Run() {
    sim::SimulatorConfig sim_config;
    sim_config.auth_key = kAuthKey;
    sim_config.scan_delay = milliseconds(20);
    sim_config.step_delay = milliseconds(5);
    sim_config.world_size = 3;
    sim::Simulator simulator(sim_config);
    if (absl::Status started = simulator.Start(); !started.ok()) {
      std::cerr << "wxsoak: simulator: " << started << "\n";
      return 1;
    }
    BridgeChild bridge(options_, simulator.url(), kAuthKey);
    if (!bridge.WaitForPort()) {
      std::cerr << "wxsoak: wxbridge announced no port; see " << bridge.log_path() << "\n";
      return 1;
    }
    auto channel = grpc::CreateChannel(bridge.target(), grpc::InsecureChannelCredentials());
    auto stub = v1::BridgeService::NewStub(channel);
    if (!LogInAccounts(*stub)) {
      Problem("the accounts did not log in");
      return Finish(bridge, simulator);
    }

    SeqLedger ledger;
    std::vector<std::unique_ptr<SoakSubscriber>> subscribers;
    for (int i = 0; i < options_.subscribers; ++i) {
      const bool cut_off = i >= 2;
      const uint32_t max_batch = i % 2 == 0 ? 0 : 64;
      subscribers.push_back(std::make_unique<SoakSubscriber>(
          i, stub.get(), &ledger, cut_off, max_batch, options_.seed * 1000 + i, options_));
      subscribers.back()->Start();
    }
    std::vector<std::unique_ptr<SoakCaller>> callers;
    for (int i = 0; i < options_.callers; ++i) {
      callers.push_back(std::make_unique<SoakCaller>(i, stub.get(), accounts_,
                                                     options_.seed * 2000 + i, options_));
      callers.back()->Start();
    }

    ChaosDriver chaos(&simulator, accounts_[0], options_.seed, options_);
    const auto chaos_start = std::chrono::steady_clock::now();
    chaos.Run();
    figures_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - chaos_start).count();
    for (auto& caller : callers) caller->Stop();

    const std::optional<v1::GetStatusResponse> final_status = Settle(*stub, chaos, ledger);
    if (final_status) {
      for (auto& subscriber : subscribers) subscriber->FinishAt(final_status->head_seq());
      const bool caught_up = testing::PollUntil(
          [&] {
            for (auto& subscriber : subscribers) {
              if (!subscriber->done()) return false;
            }
            return true;
          },
          options_.Scaled(milliseconds(30000)));
      if (!caught_up) Problem("a subscriber did not reach the head within 30 s");
    }
    for (auto& subscriber : subscribers) {
      subscriber->Abandon();
      subscriber->Join();
    }

    figures_.chaos = chaos.counts();
    if (final_status) {
      figures_.head_seq = final_status->head_seq();
      figures_.frames_read = final_status->counters().frames_received();
      figures_.reconnects = final_status->counters().reconnects();
    }
    CheckSubscribers(subscribers, ledger, final_status.has_value());
    CheckCalls(callers, simulator);
    return Finish(bridge, simulator);
  }

 private:
  void Problem(std::string what) { problems_.push_back(std::move(what)); }

  bool LogInAccounts(v1::BridgeService::Stub& stub) {
    if (!WaitForStatus(
            stub, options_,
            [](const auto& s) { return s.upstream_state() == v1::UPSTREAM_STATE_CONNECTED; },
            milliseconds(20000))) {
      return false;
    }
    for (int i = 0; i < kAccounts; ++i) {
      accounts_.push_back(absl::StrCat("soak", i));
      v1::LoginRequest login;
      login.set_account(accounts_.back());
      v1::LoginResponse response;
      if (!stub.Login(Context(options_).get(), login, &response).ok()) return false;
    }
    return WaitForStatus(
        stub, options_, [](const auto& s) { return AllLoggedIn(s, kAccounts); },
        milliseconds(20000));
  }

  // After the chaos: the bridge reconnected, no call in flight, and a last marker read,
  // so every frame the simulator sent before it is in the log. The status at that point.
  std::optional<v1::GetStatusResponse> Settle(v1::BridgeService::Stub& stub, ChaosDriver& chaos,
                                              const SeqLedger& ledger) {
    if (!WaitForStatus(
            stub, options_,
            [](const auto& s) {
              return s.upstream_state() == v1::UPSTREAM_STATE_CONNECTED &&
                     s.counters().calls_in_flight() == 0;
            },
            milliseconds(30000))) {
      Problem("the bridge did not settle (connected, no call in flight) within 30 s");
      return std::nullopt;
    }
    // A marker can be lost if a connection still dies under it; then another is sent.
    for (int attempt = 0; attempt < 5; ++attempt) {
      const uint64_t marker = chaos.InjectMarker();
      if (testing::PollUntil([&] { return ledger.SeqOfMarker(marker) != 0; },
                             options_.Scaled(milliseconds(5000)))) {
        return SteadyStatus(stub);
      }
    }
    Problem("no subscriber read the final marker text");
    return std::nullopt;
  }

  // Two GetStatus answers in a row with the same head and frame count: the log and the
  // counter are read at one quiet moment.
  std::optional<v1::GetStatusResponse> SteadyStatus(v1::BridgeService::Stub& stub) {
    std::optional<v1::GetStatusResponse> previous = Status(stub, options_);
    std::optional<v1::GetStatusResponse> steady;
    testing::PollUntil(
        [&] {
          std::optional<v1::GetStatusResponse> now = Status(stub, options_);
          if (previous && now && now->head_seq() == previous->head_seq() &&
              now->counters().frames_received() == previous->counters().frames_received()) {
            steady = now;
            return true;
          }
          previous = now;
          return false;
        },
        options_.Scaled(milliseconds(10000)));
    if (!steady) Problem("the bridge's head never held still after the chaos");
    return steady;
  }

  // `settled`: the head is known (otherwise only what the subscribers saw is reported).
  void CheckSubscribers(const std::vector<std::unique_ptr<SoakSubscriber>>& subscribers,
                        const SeqLedger& ledger, bool settled) {
    for (const auto& subscriber : subscribers) {
      const SubscriberStats stats = subscriber->stats();
      figures_.deliveries += stats.deliveries;
      figures_.resumes += stats.resumes;
      figures_.gaps += stats.gaps;
      figures_.missed += stats.missed;
      for (const std::string& problem : stats.problems) Problem(problem);
      if (!settled) continue;
      // Everything from seq 1 to the head, delivered or reported in a gap.
      if (stats.next_seq <= figures_.head_seq) {
        Problem(absl::StrCat("subscriber ", subscriber->id(), " stopped at seq ", stats.next_seq,
                             " of ", figures_.head_seq));
      }
      if (stats.deliveries + stats.missed + 1 < stats.next_seq) {
        Problem(absl::StrCat("subscriber ", subscriber->id(), " accounts for ",
                             stats.deliveries + stats.missed, " of ", stats.next_seq - 1, " seqs"));
      }
    }
    if (!settled) return;
    const SeqLedger::Audit audit = ledger.Check(figures_.head_seq);
    figures_.seqs_known = audit.seqs_known;
    figures_.gateway_events = audit.gateway_events;
    for (const std::string& problem : audit.problems) Problem(problem);
    // With every seq seen, the gateway's frames and the events made of them must match.
    if (audit.seqs_known == figures_.head_seq && audit.gateway_events != figures_.frames_read) {
      Problem(absl::StrCat("the bridge read ", figures_.frames_read, " frames but its log holds ",
                           audit.gateway_events, " events made from frames"));
    }
    if (figures_.chaos.drops < static_cast<uint64_t>(options_.drops)) {
      Problem(absl::StrCat("only ", figures_.chaos.drops, " of ", options_.drops,
                           " drops cut a connection"));
    }
    if (figures_.reconnects < figures_.chaos.drops) {
      Problem(absl::StrCat(figures_.chaos.drops, " drops but only ", figures_.reconnects,
                           " reconnects"));
    }
  }

  void CheckCalls(const std::vector<std::unique_ptr<SoakCaller>>& callers,
                  const sim::Simulator& simulator) {
    std::set<uint64_t> resent_ids;
    for (const auto& caller : callers) {
      const CallerStats stats = caller->stats();
      figures_.calls += stats.calls;
      for (const auto& [name, count] : stats.by_status) figures_.calls_by_status[name] += count;
      figures_.status_example.insert(stats.example.begin(), stats.example.end());
      figures_.hung += stats.hung;
      figures_.unclear += stats.unclear;
      figures_.resent_acks += stats.resent;
      resent_ids.insert(stats.resent_request_ids.begin(), stats.resent_request_ids.end());
      for (const std::string& problem : stats.problems) Problem(problem);
    }
    const SentFrameAudit audit = AuditSentFrames(simulator.ReceivedFrames(), resent_ids);
    figures_.request_frames = audit.frames;
    figures_.frames_twice = audit.twice;
    figures_.frames_twice_announced = audit.twice_announced;
    for (const std::string& problem : audit.problems) Problem(problem);
  }

  int Finish(BridgeChild& bridge, sim::Simulator& simulator) {
    figures_.peak_rss_kib = bridge.peak_rss_kib();
    const BridgeEnd end = bridge.Stop();
    simulator.Stop();
    figures_.exit_code = end.exit_code;
    figures_.sanitizer_report = end.sanitizer_report;
    if (end.timed_out || end.exit_code != 0) {
      Problem(absl::StrCat("wxbridge exited ", end.exit_code, end.timed_out ? " (killed)" : "",
                           " on SIGTERM; see ", bridge.log_path()));
    }
    if (!end.sanitizer_report.empty()) Problem(absl::StrCat("sanitizer: ", end.sanitizer_report));
    if (figures_.peak_rss_kib > options_.max_rss_mib * 1024) {
      Problem(absl::StrCat("peak RSS ", figures_.peak_rss_kib / 1024, " MiB over the bound of ",
                           options_.max_rss_mib, " MiB"));
    }
    if (options_.summary || !problems_.empty())
      PrintSummary(options_, figures_, problems_, std::cout);
    return problems_.empty() ? 0 : 1;
  }

  const SoakOptions options_;
  std::vector<std::string> accounts_;
  SoakFigures figures_;
  std::vector<std::string> problems_;
};

}  // namespace
}  // namespace wxbridge::soak

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "wxsoak: the chaos soak of wxbridge (docs/reliability.md). Usage: wxsoak [--seconds=300] "
      "[--drops=100] [--subscribers=6] [--callers=4] [--seed=1] [--max_rss_mb=256]");
  absl::ParseCommandLine(argc, argv);
  // Debian's abseil checks lock order on every absl::Mutex use gRPC makes (see main.cc).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // The in-process simulator logs every connection; the soak's own table says enough.
  wxbridge::SetLogLevel(wxbridge::LogLevel::kWarning);
  wxbridge::soak::SoakOptions options;
  options.bridge_binary = absl::GetFlag(FLAGS_bridge);
  options.subscribers = absl::GetFlag(FLAGS_subscribers);
  options.callers = absl::GetFlag(FLAGS_callers);
  options.duration = std::chrono::seconds(absl::GetFlag(FLAGS_seconds));
  options.drops = absl::GetFlag(FLAGS_drops);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.max_rss_mib = absl::GetFlag(FLAGS_max_rss_mb);
  options.event_retention = static_cast<std::size_t>(absl::GetFlag(FLAGS_event_retention));
  options.big_text_bytes = static_cast<std::size_t>(absl::GetFlag(FLAGS_big_text_kib)) << 10;
  options.slowness = absl::GetFlag(FLAGS_slowness);
  options.log_dir = absl::GetFlag(FLAGS_log_dir);
  options.summary = absl::GetFlag(FLAGS_summary);
  if (options.subscribers < 2 || options.callers < 1 || options.drops < 1 ||
      options.duration.count() < 1 || options.slowness < 1.0 || options.event_retention < 1) {
    std::cerr << "wxsoak: need --subscribers >= 2, --callers >= 1, --drops >= 1, --seconds >= 1, "
                 "--slowness >= 1, --event_retention >= 1\n";
    return 2;
  }
  return wxbridge::soak::Soak(std::move(options)).Run();
}
