// Many Subscribe streams read by one process, cheaply: messages arrive as raw
// ByteBuffers and are told apart by their first byte (the SubscribeResponse
// oneof tag); batches are counted by walking their entries' lengths; only every
// k-th event is parsed, to take its gateway send time for the latency. Events carry
// "sent_ns=<steady_clock ns>" (the simulator host's kSendNsToken, see sim_pusher.h):
// same machine, same clock, so latency = now - sent.
#ifndef WXBRIDGE_TESTS_BENCH_SUBSCRIBER_FLEET_H_
#define WXBRIDGE_TESTS_BENCH_SUBSCRIBER_FLEET_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "tests/bench/latency.h"

namespace wxbridge::bench {

// The marker the pushed frames carry before the simulator's send time.
inline constexpr char kSentNsMarker[] = "sent_ns=";

class SubscriberFleet {
 public:
  // Streams go to `target` spread over `channels` connections (0: a connection of
  // its own for each stream, as independent clients have) and ask for up to
  // `max_batch` events per message.
  SubscriberFleet(const std::string &target, int channels, int max_batch)
      : SubscriberFleet(std::vector<std::string>{target}, channels, max_batch) {}
  // The same, the connections spread round-robin over several servers (cluster
  // replicas): stream i goes to targets[i % size].
  SubscriberFleet(std::vector<std::string> targets, int channels, int max_batch);
  ~SubscriberFleet();  // Close()s.

  // Opens `n` streams reading everything and waits for every hello.
  absl::Status Open(int n, std::chrono::milliseconds timeout);
  // Opens one more stream on a connection of its own that reads its hello and
  // then nothing more, as a stuck client would.
  absl::Status OpenStalled(std::chrono::milliseconds timeout);
  // Cancels the stalled stream(s), leaving the others open.
  void CloseStalled();

  // Forgets counts and samples; from now on every `sample_every`-th event of
  // each (reading) stream is timed.
  void ResetCounters(int sample_every);
  uint64_t events() const;    // delivered to the reading streams since ResetCounters
  uint64_t messages() const;  // stream messages that carried those events
  uint64_t gaps() const;
  // Waits until events() >= n, or no event arrived for `idle`; returns the time
  // of the last event seen.
  std::chrono::steady_clock::time_point WaitForEvents(uint64_t n, std::chrono::milliseconds idle);
  Percentiles TakeLatency() { return latency_->Summarize(); }

  // Cancels every stream and waits for them to end.
  void Close();

 private:
  class Reader;
  absl::Status OpenOn(grpc::GenericStub *stub, bool stalled, int n,
                      std::chrono::milliseconds timeout);
  // Cancels the readers `which` selects, waits for them to end and drops them.
  void CloseReaders(const std::function<bool(const Reader &)> &which);

  const std::vector<std::string> targets_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;      // shared connections
  std::vector<std::unique_ptr<grpc::GenericStub>> own_stubs_;  // one per stream
  std::unique_ptr<grpc::GenericStub> stalled_stub_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::unique_ptr<LatencySamples> latency_;
  const int max_batch_;
  std::atomic<int> sample_every_{1};
};

}  // namespace wxbridge::bench

#endif  // WXBRIDGE_TESTS_BENCH_SUBSCRIBER_FLEET_H_
