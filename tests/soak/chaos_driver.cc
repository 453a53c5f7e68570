#include "tests/soak/chaos_driver.h"

#include <algorithm>
#include <iterator>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/soak/seq_ledger.h"
#include "tests/support/poll_until.h"

namespace wxbridge::soak {
namespace {

using Clock = std::chrono::steady_clock;

// Frames the bridge must keep as unrecognized events (not JSON, not an object, wrong
// types, the gateway document's own trailing comma) and frames of types it does not know.
constexpr const char* kMalformed[] = {
    "{not json",
    "[\"MsgType\", 1]",
    "null",
    "",
    "{\"MsgType\":\"one\",\"account\":7}",
    "{\"code\": 105, \"msgId\":0, \"data\": {\"account\":\"\",}}",
};
constexpr const char* kUnknown[] = {
    "{\"MsgType\":424242,\"account\":\"soak0\",\"Content\":\"?\"}",
    "{\"MsgType\":0,\"account\":\"soak0\",\"Content\":\"{\\\"status\\\":99}\"}",
    "{\"hello\":\"gateway\"}",
};

}  // namespace

ChaosDriver::ChaosDriver(sim::Simulator* sim, std::string account, uint64_t seed,
                         const SoakOptions& options)
    : sim_(sim), account_(std::move(account)), options_(options), rng_(seed) {}

ChaosCounts ChaosDriver::counts() const {
  ChaosCounts counts = counts_;
  counts.markers = next_marker_ - 1;
  return counts;
}

int ChaosDriver::Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

void ChaosDriver::SleepFor(milliseconds ms) { std::this_thread::sleep_for(ms); }

uint64_t ChaosDriver::InjectMarker() {
  const uint64_t marker = next_marker_++;
  sim_->InjectFrame(absl::StrCat("{\"MsgType\":1,\"account\":\"", account_,
                                 "\",\"FromUserName\":\"wxid_soak\",\"Content\":\"", kMarkerPrefix,
                                 marker, "\"}"));
  return marker;
}

void ChaosDriver::Run() {
  const int drops = std::max(options_.drops, 1);
  const auto start = Clock::now();
  const auto period = std::chrono::duration_cast<milliseconds>(options_.duration) / drops;
  for (int i = 0; i < drops; ++i) {
    const auto drop_at = start + period * (i + 1);
    // Between two drops: a few faults at random moments.
    for (int n = Pick(4); n > 0 && Clock::now() < drop_at; --n) {
      RandomFault();
      const auto left = std::chrono::duration_cast<milliseconds>(drop_at - Clock::now());
      if (left.count() > 0) SleepFor(milliseconds(Pick(static_cast<int>(left.count()) + 1) / 2));
    }
    if (Clock::now() < drop_at) std::this_thread::sleep_until(drop_at);
    // A drop only counts if it cuts a connection: wait for the bridge to be back.
    if (!testing::PollUntil([&] { return sim_->connection_count() > 0; },
                            options_.Scaled(milliseconds(10000)))) {
      ++counts_.reconnect_waits_failed;
      continue;
    }
    sim_->DropConnections();
    ++counts_.drops;
  }
}

void ChaosDriver::RandomFault() {
  switch (Pick(7)) {
    case 0: {  // a hung gateway: long enough, sometimes, for the bridge's ping to give up
      sim_->SetStalled(true);
      ++counts_.stalls;
      SleepFor(milliseconds(100 + Pick(1400)));
      sim_->SetStalled(false);
      break;
    }
    case 1: {  // reads nothing, writes on: requests and pings pile up
      sim_->SetReadsPaused(true);
      ++counts_.read_pauses;
      SleepFor(milliseconds(200 + Pick(1800)));
      sim_->SetReadsPaused(false);
      break;
    }
    case 2:
      sim_->InjectFrame(kMalformed[Pick(std::size(kMalformed))]);
      ++counts_.malformed;
      break;
    case 3:
      sim_->InjectFrame(kUnknown[Pick(std::size(kUnknown))]);
      ++counts_.unknown;
      break;
    case 4:  // over the bridge's --max_frame_bytes: that connection fails
      sim_->InjectFrame(absl::StrCat("{\"MsgType\":1,\"account\":\"", account_, "\",\"Content\":\"",
                                     std::string(kMaxFrameBytes + 1024, 'o'), "\"}"));
      ++counts_.oversized;
      break;
    case 5:  // RFC 6455 makes this fatal to the connection
      sim_->InjectFrame(absl::StrCat("{\"MsgType\":1,\"account\":\"", account_,
                                     "\",\"Content\":\"\xC3\x28\xFF\"}"));
      ++counts_.invalid_utf8;
      break;
    default:
      for (int n = 1 + Pick(30); n > 0; --n) InjectMarker();
      break;
  }
}

}  // namespace wxbridge::soak
