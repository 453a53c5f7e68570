// The gateway misbehaving, on a schedule: the soak's simulator drops the bridge's
// connection `drops` times spread over the run and, between drops, stalls, stops reading,
// and sends malformed, unknown, oversized and invalid-UTF-8 frames and bursts of marker
// texts (numbered, for the ledger's order check).
#ifndef WXBRIDGE_TESTS_SOAK_CHAOS_DRIVER_H_
#define WXBRIDGE_TESTS_SOAK_CHAOS_DRIVER_H_

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

#include "server/sim/simulator.h"
#include "tests/soak/soak_options.h"

namespace wxbridge::soak {

struct ChaosCounts {
  uint64_t drops = 0;  // DropConnections with a connection open
  uint64_t stalls = 0;
  uint64_t read_pauses = 0;
  uint64_t malformed = 0;
  uint64_t unknown = 0;
  uint64_t oversized = 0;
  uint64_t invalid_utf8 = 0;
  uint64_t markers = 0;
  uint64_t reconnect_waits_failed = 0;  // the bridge was not back in time for a drop
};

class ChaosDriver {
 public:
  ChaosDriver(sim::Simulator* sim, std::string account, uint64_t seed, const SoakOptions& options);

  // Runs the whole schedule (options.duration) on the calling thread; the simulator is
  // left serving normally.
  void Run();
  // Sends one more marker text now; its number.
  uint64_t InjectMarker();
  ChaosCounts counts() const;

 private:
  // One fault other than a drop, chosen at random.
  void RandomFault();
  void SleepFor(milliseconds ms);
  int Pick(int n);

  sim::Simulator* const sim_;
  const std::string account_;
  const SoakOptions options_;
  std::mt19937_64 rng_;
  std::atomic<uint64_t> next_marker_{1};
  ChaosCounts counts_;  // written by Run's thread; read after it
};

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_CHAOS_DRIVER_H_
