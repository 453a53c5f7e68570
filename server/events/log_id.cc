#include "server/events/log_id.h"

#include <cstdint>
#include <random>

#include "absl/strings/str_cat.h"

namespace wxbridge::events {

std::string NewLogId() {
  std::random_device random;  // the kernel's random source
  std::string id;
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&id, absl::Hex(static_cast<uint32_t>(random()), absl::kZeroPad8));
  }
  return id;
}

}  // namespace wxbridge::events
