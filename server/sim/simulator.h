// The gateway simulator: a real WebSocket server implementing our reading of the
// gateway protocol (docs/protocol.md), with a small deterministic world.
// wxbridge runs it in-process when no upstream is configured; tests drive it through
// this API (inject frames, drop or stall connections, read what it received).
#ifndef WXBRIDGE_SERVER_SIM_SIMULATOR_H_
#define WXBRIDGE_SERVER_SIM_SIMULATOR_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/common/limits.h"
#include "server/sim/sim_outbound.h"
#include "server/sim/sim_sample.h"

namespace wxbridge::sim {

// Whether replies to a command echo its msgId/cmdId (docs/protocol.md "Correlation").
enum class AckMode { kEcho, kNone };

struct SimulatorConfig {
  // Listen address and port; port 0 picks a free one (see Simulator::port()).
  std::string listen_host = "127.0.0.1";
  uint16_t port = 0;
  // The only authKey accepted; any other gets MsgType -1 "授权码无效".
  std::string auth_key = "wxsim-key";
  AckMode ack_mode = AckMode::kEcho;
  // Pauses in the login walk: status 1 (QR) -> scan_delay -> 3 -> step_delay -> 4 ->
  // step_delay -> 7, self contact, contact list.
  std::chrono::milliseconds scan_delay{300};
  std::chrono::milliseconds step_delay{100};
  // A QR code not scanned within this long times out: status 5, and the account stays
  // logged out. The document's 2 minutes; a scan_delay at least this long means no scan.
  std::chrono::milliseconds qr_timeout{120000};
  // Number of simulated friends (persons) each account has, besides the fixed ones.
  int world_size = 5;
  // Largest inbound frame accepted (a 10 MB image is ~13.4 MB of base64 + JSON).
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
};

class Simulator {
 public:
  explicit Simulator(SimulatorConfig config);
  ~Simulator();  // Stop()s.
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds and starts serving on a thread of its own.
  absl::Status Start();
  // Closes every connection and joins the thread. Idempotent.
  void Stop();

  uint16_t port() const;
  // ws://host:port/ws
  std::string url() const;
  const SimulatorConfig& config() const;

  // The WeChat id the simulated scan logs `account` in as (deterministic:
  // "wxid_" + 12 lowercase hex digits of a hash of the account).
  static std::string WxIdFor(const std::string& account);
  // The group every account is a member of, owned by a simulated user no account is.
  static std::string SharedGroupId();
  // The group `account` owns (members: the account and its simulated friends).
  static std::string OwnedGroupIdFor(const std::string& account);
  // Fixed world contacts every account has: an official account and a special one.
  static std::string OfficialAccountId();  // "gh_…"
  static std::string SpecialAccountId();   // "medianote"
  static std::string CustomIdPersonId();   // a person with a custom WeChat id

  // --- Test hooks (thread-safe) ---
  // Sends `text` as a text frame on every open connection (or the newest one).
  void InjectFrame(const std::string& text);
  // Closes every connection abruptly (TCP close, no close frame).
  void DropConnections();
  // While stalled, the simulator neither reads nor writes on open connections (and
  // answers no pings), as a hung gateway would.
  void SetStalled(bool stalled);
  // While paused, the simulator reads nothing from open connections (requests and pings
  // wait in the kernel) but goes on writing, as a gateway whose reader hung would.
  void SetReadsPaused(bool paused);
  void SetAckMode(AckMode mode);
  // While set, login walks end in status 6 (failed) after the scan instead of 7.
  void SetLoginsFail(bool fail);
  // Makes the world push `sample` to `account` (logged in; nothing otherwise).
  void PushSample(const std::string& account, SamplePush sample);
  // Every text frame received, in order, across connections.
  std::vector<std::string> ReceivedFrames() const;
  // When each frame of ReceivedFrames() was read off its connection, in the same order
  // (for tests that measure the bridge's send rate).
  std::vector<std::chrono::steady_clock::time_point> ReceivedTimes() const;
  // Waits until `predicate(ReceivedFrames())` holds or the timeout passes.
  bool WaitForReceived(const std::function<bool(const std::vector<std::string>&)>& predicate,
                       std::chrono::milliseconds timeout) const;
  // Open connections now, and connections accepted since start.
  std::size_t connection_count() const;
  std::size_t connections_accepted() const;
  // The most connections open at once since start (counted from the handshake, before
  // any authKey): where only the replicas of one cluster connect, above 1 means two of
  // them held the gateway at the same time.
  std::size_t peak_connection_count() const;
  // Waits until connections_accepted() >= n.
  bool WaitForConnections(std::size_t n, std::chrono::milliseconds timeout) const;
  // Accounts logged in now.
  std::vector<std::string> LoggedInAccounts() const;

  // --- Load generation hook (benchmarks) ---
  // Every connection open now writes what `source` makes whenever it has nothing queued,
  // so a frame can carry the time it is written (see FrameSource); connections opened
  // later have no source. Replaces the previous source; nullptr removes it.
  void SetFrameSource(FrameSource source);
  // Asks the source again on every idle connection (after it returned nullopt).
  void PullFrames();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIMULATOR_H_
