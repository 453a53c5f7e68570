// The facade: wires the pure SimWorld to the WebSocket SimServer and keeps what
// tests observe (received frames, connection counts).
#include "server/sim/simulator.h"

#include <condition_variable>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "server/sim/sim_ids.h"
#include "server/sim/sim_server.h"
#include "server/sim/sim_world.h"

namespace wxbridge::sim {

class Simulator::Impl : public ConnectionListener {
 public:
  explicit Impl(SimulatorConfig config)
      : config_(std::move(config)),
        world_(WorldOptions{config_.auth_key, config_.ack_mode, config_.scan_delay,
                            config_.step_delay, config_.world_size, config_.qr_timeout}),
        server_(ServerOptions{config_.listen_host, config_.port, config_.max_frame_bytes}, this) {}

  const SimulatorConfig &config() const { return config_; }
  SimServer &server() { return server_; }
  const SimServer &server() const { return server_; }

  void SetAckMode(AckMode mode) {
    std::lock_guard<std::mutex> lock(world_mutex_);
    world_.set_ack_mode(mode);
  }

  void SetLoginsFail(bool fail) {
    std::lock_guard<std::mutex> lock(world_mutex_);
    world_.set_logins_fail(fail);
  }

  void PushSample(const std::string &account, SamplePush sample) {
    Emit(WithWorld([&](SimWorld &world) { return world.PushSample(account, sample); }));
  }

  std::vector<std::string> LoggedInAccounts() const {
    std::lock_guard<std::mutex> lock(world_mutex_);
    return world_.LoggedInAccounts();
  }

  std::vector<std::string> ReceivedFrames() const {
    std::lock_guard<std::mutex> lock(observed_mutex_);
    return received_;
  }

  std::vector<std::chrono::steady_clock::time_point> ReceivedTimes() const {
    std::lock_guard<std::mutex> lock(observed_mutex_);
    return received_at_;
  }

  bool WaitForReceived(const std::function<bool(const std::vector<std::string> &)> &predicate,
                       std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(observed_mutex_);
    return observed_changed_.wait_for(lock, timeout, [&] { return predicate(received_); });
  }

  bool WaitForConnections(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(observed_mutex_);
    return observed_changed_.wait_for(lock, timeout, [&] { return server_.accepted_count() >= n; });
  }

  // ConnectionListener: on the server's I/O thread.
  void OnOpen(ConnectionId) override { Notify(); }

  void OnText(ConnectionId connection, std::string text) override {
    {
      std::lock_guard<std::mutex> lock(observed_mutex_);
      received_.push_back(text);
      received_at_.push_back(std::chrono::steady_clock::now());
    }
    observed_changed_.notify_all();
    Emit(WithWorld([&](SimWorld &world) { return world.HandleText(connection, text); }));
  }

  void OnBinary(ConnectionId connection) override {
    Emit(WithWorld([&](SimWorld &world) { return world.HandleBinary(connection); }));
  }

  void OnClose(ConnectionId connection) override {
    {
      std::lock_guard<std::mutex> lock(world_mutex_);
      world_.Disconnected(connection);
    }
    Notify();
  }

 private:
  template <class Fn>
  WorldOutput WithWorld(Fn fn) {
    std::lock_guard<std::mutex> lock(world_mutex_);
    return fn(world_);
  }

  void Notify() {
    // Taking the lock orders the change before any waiter's next predicate
    // check.
    { std::lock_guard<std::mutex> lock(observed_mutex_); }
    observed_changed_.notify_all();
  }

  void Emit(WorldOutput out) {
    if (!out.frames.empty()) server_.Send(std::move(out.frames));
    for (LoginStep &step : out.steps) {
      const auto delay = step.delay;
      server_.RunAfter(delay, [this, step = std::move(step)] {
        Emit(WithWorld([&](SimWorld &world) { return world.RunStep(step); }));
      });
    }
  }

  const SimulatorConfig config_;
  mutable std::mutex world_mutex_;
  SimWorld world_;
  mutable std::mutex observed_mutex_;
  mutable std::condition_variable observed_changed_;
  std::vector<std::string> received_;
  std::vector<std::chrono::steady_clock::time_point> received_at_;  // one per received_
  SimServer server_;  // last: stopped and destroyed before what its callbacks use
};

Simulator::Simulator(SimulatorConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Simulator::~Simulator() { Stop(); }

absl::Status Simulator::Start() { return impl_->server().Start(); }
void Simulator::Stop() { impl_->server().Stop(); }
uint16_t Simulator::port() const { return impl_->server().port(); }

std::string Simulator::url() const {
  const std::string &host = impl_->config().listen_host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat("ws://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port(), "/ws");
}

const SimulatorConfig &Simulator::config() const { return impl_->config(); }

std::string Simulator::WxIdFor(const std::string &account) { return WxIdForAccount(account); }
std::string Simulator::SharedGroupId() { return SharedGroupWxId(); }
std::string Simulator::OwnedGroupIdFor(const std::string &account) {
  return OwnedGroupWxIdFor(account);
}
std::string Simulator::OfficialAccountId() { return OfficialAccountWxId(); }
std::string Simulator::SpecialAccountId() { return SpecialAccountWxId(); }
std::string Simulator::CustomIdPersonId() { return CustomIdPersonWxId(); }

void Simulator::InjectFrame(const std::string &text) { impl_->server().SendToAll(text); }
void Simulator::DropConnections() { impl_->server().DropAll(); }
void Simulator::SetStalled(bool stalled) { impl_->server().SetStalled(stalled); }
void Simulator::SetReadsPaused(bool paused) { impl_->server().SetReadsPaused(paused); }
void Simulator::SetAckMode(AckMode mode) { impl_->SetAckMode(mode); }
void Simulator::SetLoginsFail(bool fail) { impl_->SetLoginsFail(fail); }
void Simulator::PushSample(const std::string &account, SamplePush sample) {
  impl_->PushSample(account, sample);
}

std::vector<std::string> Simulator::ReceivedFrames() const { return impl_->ReceivedFrames(); }
std::vector<std::chrono::steady_clock::time_point> Simulator::ReceivedTimes() const {
  return impl_->ReceivedTimes();
}

bool Simulator::WaitForReceived(
    const std::function<bool(const std::vector<std::string> &)> &predicate,
    std::chrono::milliseconds timeout) const {
  return impl_->WaitForReceived(predicate, timeout);
}

std::size_t Simulator::connection_count() const { return impl_->server().open_count(); }
std::size_t Simulator::connections_accepted() const { return impl_->server().accepted_count(); }
std::size_t Simulator::peak_connection_count() const { return impl_->server().peak_open_count(); }
bool Simulator::WaitForConnections(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->WaitForConnections(n, timeout);
}
std::vector<std::string> Simulator::LoggedInAccounts() const { return impl_->LoggedInAccounts(); }

void Simulator::SetFrameSource(FrameSource source) {
  impl_->server().SetFrameSource(std::move(source));
}
void Simulator::PullFrames() { impl_->server().PullFrames(); }

}  // namespace wxbridge::sim
