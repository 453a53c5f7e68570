// The fan-out benchmark's load: copies of one frame pushed by the gateway simulator to
// every connection open at the start, as fast as each connection's writes complete
// (rate 0) or at a fixed rate. "%SEND_NS%" in the frame becomes the steady_clock time in
// ns at which the copy is handed to the socket, so a reader on this machine measures
// latency from it. Built on the simulator's frame source hook.
#ifndef WXBRIDGE_TESTS_BENCH_SIM_PUSHER_H_
#define WXBRIDGE_TESTS_BENCH_SIM_PUSHER_H_

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "server/sim/simulator.h"

namespace wxbridge::bench {

inline constexpr char kSendNsToken[] = "%SEND_NS%";

class SimPusher {
 public:
  explicit SimPusher(sim::Simulator& simulator) : simulator_(simulator) {}
  ~SimPusher();  // Stop()s.
  SimPusher(const SimPusher&) = delete;
  SimPusher& operator=(const SimPusher&) = delete;

  // Starts pushing `count` copies of `frame` to each open connection, replacing the push
  // in progress; returns at once.
  void Start(const std::string& frame, std::size_t count, double rate_per_second);
  // Ends the push in progress: no further copies.
  void Stop();

 private:
  void StopPacer();

  sim::Simulator& simulator_;
  std::mutex mutex_;
  std::condition_variable stop_changed_;
  bool stopping_ = false;
  std::thread pacer_;  // releases copies at the fixed rate
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_SIM_PUSHER_H_
