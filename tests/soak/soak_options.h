// What one soak run does: how many subscribers and callers, for how long, how much chaos,
// and the bounds it checks. Filled from wxsoak's flags.
#ifndef WXBRIDGE_TESTS_SOAK_SOAK_OPTIONS_H_
#define WXBRIDGE_TESTS_SOAK_SOAK_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace wxbridge::soak {

using std::chrono::milliseconds;

struct SoakOptions {
  std::string bridge_binary;
  int subscribers = 6;  // the first two never cut off; the rest cut off and resume
  int callers = 4;
  std::chrono::seconds duration{60};
  int drops = 20;  // connection drops spread over the run (others come from faults)
  uint64_t seed = 1;
  int64_t max_rss_mib = 256;
  std::size_t event_retention = 1000;  // small, so a subscriber kept away gets a Gap
  // One SendText in twenty carries this much text, to fill the socket of a gateway that
  // stopped reading. The simulator pushes it on with the text twice (Content and
  // PushContent), and the event holds that frame and its decoded copy: ~4x the text.
  std::size_t big_text_bytes = 64 << 10;
  // Multiplies every grace and wait (an ASan build or a loaded machine is slower).
  double slowness = 1.0;
  std::string log_dir = ".";  // the bridge's stderr goes to <log_dir>/wxsoak-bridge.log
  bool summary = true;

  milliseconds Scaled(milliseconds base) const {
    return milliseconds(static_cast<int64_t>(static_cast<double>(base.count()) * slowness));
  }
};

// The bridge flags the soak runs with (passed on its command line).
inline constexpr milliseconds kCallTimeout{1000};  // calls whose client sets no deadline
inline constexpr std::size_t kMaxFrameBytes = 1 << 20;
inline constexpr int kAccounts = 3;

}  // namespace wxbridge::soak

#endif  // WXBRIDGE_TESTS_SOAK_SOAK_OPTIONS_H_
