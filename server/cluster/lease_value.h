// The value stored under the lease key: who holds the upstream, until when (unix
// milliseconds, the holder's wall clock) and the term (bumped on every change of holder).
// Pure encoding, no NATS: the key-value bucket's TTL is bucket-wide, so the expiry lives
// in the value and every replica judges it by its own wall clock.
#ifndef WXBRIDGE_SERVER_CLUSTER_LEASE_VALUE_H_
#define WXBRIDGE_SERVER_CLUSTER_LEASE_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wxbridge {

struct LeaseValue {
  std::string holder;     // empty: released, nobody holds it
  int64_t expiry_ms = 0;  // unix ms; the lease is free from this instant on
  uint64_t term = 0;      // 1 for the first holder, +1 at every takeover

  // Free for anyone at `now_ms` (the reader's wall clock): released or past its expiry.
  bool FreeAt(int64_t now_ms) const { return holder.empty() || now_ms >= expiry_ms; }
  friend bool operator==(const LeaseValue& a, const LeaseValue& b) {
    return a.holder == b.holder && a.expiry_ms == b.expiry_ms && a.term == b.term;
  }
};

// One JSON object: {"holder":"…","expiry_ms":…,"term":…}.
std::string EncodeLeaseValue(const LeaseValue& value);
// InvalidArgument for anything that is not such an object (a foreign or corrupt value is
// reported, never taken for a free lease).
absl::StatusOr<LeaseValue> DecodeLeaseValue(std::string_view text);

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_CLUSTER_LEASE_VALUE_H_
