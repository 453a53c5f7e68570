// One client issuing unary calls back to back for the soak: SendText, GetContacts and
// SendRaw between the logged-in accounts, with a mix of deadlines (none: the bridge's
// --call_timeout). Each call must end before its deadline plus a grace, with OK or a
// clear status; acks that say `resent` are kept for the sent-frame audit.
#ifndef WXBRIDGE_TESTS_SOAK_SOAK_CALLER_H_
#define WXBRIDGE_TESTS_SOAK_SOAK_CALLER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/soak/soak_options.h"
#include "wxbridge/v1/bridge_service.grpc.pb.h"

namespace wxbridge::soak {

struct CallerStats {
  uint64_t calls = 0;
  std::map<std::string, uint64_t> by_status;   // status code name -> count
  std::map<std::string, std::string> example;  // status code name -> its first message
  uint64_t hung = 0;                           // not ended within deadline + grace
  uint64_t unclear = 0;  // UNKNOWN, INTERNAL or another status a client cannot act on
  uint64_t resent = 0;   // OK acks with resent
  std::set<uint64_t> resent_request_ids;
  std::vector<std::string> problems;  // first few hung or unclear calls
};

class SoakCaller {
 public:
  // `accounts` are logged in; calls go from one to another.
  SoakCaller(int id, v1::BridgeService::Stub* stub, std::vector<std::string> accounts,
             uint64_t seed, const SoakOptions& options);
  ~SoakCaller();  // stops and joins

  void Start();
  void Stop();  // the call in flight ends first
  CallerStats stats() const;

 private:
  void Run();
  void OneCall();

  const int id_;
  v1::BridgeService::Stub* const stub_;
  const std::vector<std::string> accounts_;
  const SoakOptions options_;
  std::mt19937_64 rng_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  CallerStats stats_;
  std::thread thread_;
};

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_SOAK_CALLER_H_
