// One Subscribe client of the soak: reads every event from seq 1 on, checks each stream
// message against the seq it expects next (one more than the last, or where a Gap says
// delivery continues), records events in the shared ledger and, if it is a cut-off one,
// ends its own stream at random moments and resumes with after_seq = the last seq read.
#ifndef WXBRIDGE_TESTS_SOAK_SOAK_SUBSCRIBER_H_
#define WXBRIDGE_TESTS_SOAK_SOAK_SUBSCRIBER_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/soak/seq_ledger.h"
#include "tests/soak/soak_options.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::soak {

struct SubscriberStats {
  uint64_t deliveries = 0;  // events received
  uint64_t resumes = 0;     // streams opened after the first
  uint64_t gaps = 0;
  uint64_t missed = 0;    // events reported missing by gaps
  uint64_t next_seq = 1;  // the seq expected next
  std::vector<std::string> problems;
};

class SoakSubscriber {
 public:
  // `cut_off`: ends its streams on purpose (after a random 0.3–3 s) and stays away a
  // random while before resuming. `max_batch` as in SubscribeRequest.
  SoakSubscriber(int id, v1::BridgeService::Stub* stub, SeqLedger* ledger, bool cut_off,
                 uint32_t max_batch, uint64_t seed, const SoakOptions& options);
  ~SoakSubscriber();  // joins

  void Start();
  // Read up to and including `head`, then end. Call once, after the chaos.
  void FinishAt(uint64_t head);
  bool done() const { return done_; }
  // Ends the current stream (a subscriber still reading when the soak gives up on it).
  void Abandon();
  void Join();
  SubscriberStats stats() const;
  int id() const { return id_; }

 private:
  void Run();
  // One stream, from after_seq = next_seq - 1 until it ends.
  void ReadOneStream();
  void OnEvent(const v1::Event& event);
  void OnGap(const v1::Gap& gap);
  void Problem(std::string what);
  bool Reached() const;

  const int id_;
  v1::BridgeService::Stub* const stub_;
  SeqLedger* const ledger_;
  const bool cut_off_;
  const uint32_t max_batch_;
  const SoakOptions options_;
  std::mt19937_64 rng_;
  std::atomic<uint64_t> finish_at_{0};  // 0: not yet known
  std::atomic<bool> done_{false};
  std::atomic<bool> abandoned_{false};
  mutable std::mutex mutex_;  // guards stats_ and context_
  SubscriberStats stats_;
  grpc::ClientContext* context_ = nullptr;  // of the stream being read
  std::thread thread_;
};

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_SOAK_SUBSCRIBER_H_
