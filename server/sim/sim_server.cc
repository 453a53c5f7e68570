#include "server/sim/sim_server.h"

#include <atomic>
#include <deque>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core/bind_handler.hpp"
#include "boost/beast/core/buffers_to_string.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/websocket.hpp"
#include "server/common/log.h"
#include "server/sim/stallable_socket.h"

namespace wxbridge::sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kLogComponent = "wxsim";
constexpr char kSendNsToken[] = "%SEND_NS%";
// Copies in flight per connection when pushing flat out: enough to keep the
// socket busy, few enough that a stamped copy's time is close to when it
// leaves.
constexpr std::size_t kPushWindow = 16;

struct QueuedFrame {
  std::shared_ptr<const std::string> text;
  bool stamp = false;  // replace kSendNsToken when the write starts
};

class Session;

// What the server and its sessions share. I/O thread only, except the counters.
struct ServerState {
  ConnectionListener *listener = nullptr;
  ServerOptions options;
  bool stalled = false;
  std::unordered_map<ConnectionId, std::shared_ptr<Session>> sessions;
  std::atomic<std::size_t> open{0};
  std::atomic<std::size_t> accepted{0};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ConnectionId id, ServerState &state)
      : ws_(std::move(socket), state.stalled), id_(id), state_(state) {}

  bool is_open() const { return open_ && !closed_; }

  void Start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &response) {
      response.set(beast::http::field::server, "wxsim");
    }));
    ws_.read_message_max(state_.options.max_frame_bytes);
    ws_.async_accept(beast::bind_front_handler(&Session::OnAccept, shared_from_this()));
  }

  void Send(QueuedFrame frame) {
    if (closed_) return;
    if (queue_.size() >= state_.options.max_queued_frames) {
      Log(LogLevel::kWarning, kLogComponent, "connection ", id_, ": ", queue_.size(),
          " frames queued, dropping it");
      return Drop();
    }
    queue_.push_back(std::move(frame));
    MaybeWrite();
  }

  void PushFlatOut(std::shared_ptr<const std::string> frame, bool stamp, std::size_t count) {
    pushes_.push_back({{std::move(frame), stamp}, count});
    Refill();
  }

  // TCP close without a close frame; pending and gated operations fail and end
  // us.
  void Drop() {
    beast::error_code ignored;
    ws_.next_layer().next_layer().close(ignored);
    ws_.next_layer().Release();
  }

  void Resume() {
    ws_.next_layer().Release();
    if (!parked_) return;
    parked_ = false;
    Deliver();
    Read();
  }

 private:
  struct PushJob {
    QueuedFrame frame;
    std::size_t left;
  };

  void OnAccept(beast::error_code ec) {
    if (ec) {
      Log(LogLevel::kInfo, kLogComponent, "connection ", id_, ": handshake failed: ", ec.message());
      closed_ = true;
      state_.sessions.erase(id_);
      return;
    }
    open_ = true;
    ++state_.open;
    ++state_.accepted;
    Log(LogLevel::kInfo, kLogComponent, "connection ", id_, " open");
    state_.listener->OnOpen(id_);
    Read();
    MaybeWrite();
  }

  void Read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return Closed(ec);
    if (state_.stalled) {
      parked_ = true;  // a hung gateway reads nothing more; Resume() picks it up
      return;
    }
    Deliver();
    Read();
  }

  void Deliver() {
    const bool text = ws_.got_text();
    Log(LogLevel::kDebug, kLogComponent, "connection ", id_, ": ", text ? "text" : "binary",
        " frame in, ", buffer_.size(), " bytes");
    if (text) {
      state_.listener->OnText(id_, beast::buffers_to_string(buffer_.data()));
    } else {
      state_.listener->OnBinary(id_);
    }
    buffer_.consume(buffer_.size());
  }

  void MaybeWrite() {
    if (writing_ || !is_open() || queue_.empty()) return;
    writing_ = true;
    const QueuedFrame &front = queue_.front();
    if (front.stamp) {
      const auto now_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
              .count();
      stamped_ = absl::StrReplaceAll(*front.text, {{kSendNsToken, absl::StrCat(now_ns)}});
    }
    Log(LogLevel::kDebug, kLogComponent, "connection ", id_, ": frame out, ", front.text->size(),
        " bytes");
    ws_.text(true);
    ws_.async_write(net::buffer(front.stamp ? stamped_ : *front.text),
                    beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return Drop();  // the pending read fails next and closes the session
    queue_.pop_front();
    Refill();
    MaybeWrite();
  }

  void Refill() {
    while (!pushes_.empty() && queue_.size() < kPushWindow && !closed_) {
      PushJob &job = pushes_.front();
      queue_.push_back(job.frame);
      if (--job.left == 0) pushes_.pop_front();
    }
    MaybeWrite();
  }

  void Closed(beast::error_code ec) {
    if (closed_) return;
    closed_ = true;
    --state_.open;
    Log(LogLevel::kInfo, kLogComponent, "connection ", id_, " closed: ", ec.message());
    state_.listener->OnClose(id_);
    state_.sessions.erase(id_);  // the handler that called us still holds a reference
  }

  websocket::stream<StallableSocket> ws_;
  const ConnectionId id_;
  ServerState &state_;
  beast::flat_buffer buffer_;
  std::deque<QueuedFrame> queue_;
  std::deque<PushJob> pushes_;
  std::string stamped_;  // the stamped copy being written
  bool open_ = false;
  bool closed_ = false;
  bool writing_ = false;
  bool parked_ = false;  // a frame was read while stalled and awaits Resume()
};

// One StartPushing at a fixed rate: copies go to every open connection on a
// timer.
struct RatePush {
  RatePush(net::io_context &ioc, QueuedFrame frame, std::size_t count, double rate)
      : frame(std::move(frame)), count(count), rate(rate), timer(ioc) {}
  QueuedFrame frame;
  std::size_t count;
  double rate;
  Clock::time_point start = Clock::now();
  std::size_t sent = 0;
  net::steady_timer timer;
};

}  // namespace

class SimServer::Impl {
 public:
  Impl(ServerOptions options, ConnectionListener *listener) : acceptor_(ioc_) {
    state_.options = std::move(options);
    state_.listener = listener;
  }

  absl::Status Start() {
    if (thread_.joinable()) return absl::FailedPreconditionError("already started");
    const ServerOptions &options = state_.options;
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints =
        resolver.resolve(options.host, absl::StrCat(options.port), tcp::resolver::passive, ec);
    if (ec || endpoints.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot resolve listen host ", options.host, ": ", ec.message()));
    }
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options.host, ":", options.port, ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { ioc_.run(); });
    return absl::OkStatus();
  }

  void Stop() {
    if (!thread_.joinable()) return;
    net::post(ioc_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      for (auto &[id, session] : state_.sessions) session->Drop();
      ioc_.stop();  // what is left (timers, aborted handlers) dies with the
                    // io_context
    });
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::size_t open_count() const { return state_.open; }
  std::size_t accepted_count() const { return state_.accepted; }

  void Send(std::vector<Outbound> frames) {
    net::post(ioc_, [this, frames = std::move(frames)]() mutable {
      for (Outbound &frame : frames) {
        auto it = state_.sessions.find(frame.connection);
        if (it == state_.sessions.end()) continue;
        it->second->Send({std::make_shared<const std::string>(std::move(frame.text))});
      }
    });
  }

  void SendToAll(std::string text) {
    auto shared = std::make_shared<const std::string>(std::move(text));
    net::post(ioc_, [this, shared] { ForEachOpen([&](Session &s) { s.Send({shared}); }); });
  }

  void RunAfter(std::chrono::milliseconds delay, std::function<void()> task) {
    net::post(ioc_, [this, delay, task = std::move(task)]() mutable {
      auto timer = std::make_shared<net::steady_timer>(ioc_, delay);
      timer->async_wait([timer, task = std::move(task)](beast::error_code ec) {
        if (!ec) task();
      });
    });
  }

  void DropAll() {
    net::post(ioc_, [this] { ForEachOpen([](Session &s) { s.Drop(); }); });
  }

  void SetStalled(bool stalled) {
    net::post(ioc_, [this, stalled] {
      state_.stalled = stalled;
      if (!stalled) ForEachOpen([](Session &s) { s.Resume(); });
    });
  }

  void StartPushing(std::string frame, std::size_t count, double rate) {
    const bool stamp = frame.find(kSendNsToken) != std::string::npos;
    QueuedFrame queued{std::make_shared<const std::string>(std::move(frame)), stamp};
    net::post(ioc_, [this, queued, count, rate] {
      if (count == 0) return;
      if (rate <= 0) {
        ForEachOpen([&](Session &s) { s.PushFlatOut(queued.text, queued.stamp, count); });
        return;
      }
      Tick(std::make_shared<RatePush>(ioc_, queued, count, rate));
    });
  }

 private:
  template <class Fn>
  void ForEachOpen(Fn fn) {
    // Sessions only leave the map from their own handlers, never from inside
    // fn.
    for (auto &[id, session] : state_.sessions) {
      if (session->is_open()) fn(*session);
    }
  }

  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        Log(LogLevel::kWarning, kLogComponent, "accept: ", ec.message());
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        const ConnectionId id = ++last_id_;
        auto session = std::make_shared<Session>(std::move(socket), id, state_);
        state_.sessions.emplace(id, session);
        session->Start();
      }
      if (acceptor_.is_open()) Accept();
    });
  }

  void Tick(const std::shared_ptr<RatePush> &job) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - job->start).count();
    const auto due = std::min(job->count, static_cast<std::size_t>(elapsed * job->rate) + 1);
    for (; job->sent < due; ++job->sent) {
      ForEachOpen([&](Session &s) { s.Send(job->frame); });
    }
    if (job->sent >= job->count) return;
    job->timer.expires_at(job->start + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(job->sent / job->rate)));
    job->timer.async_wait([this, job](beast::error_code ec) {
      if (!ec) Tick(job);
    });
  }

  net::io_context ioc_;  // first: outlives everything that refers to it
  ServerState state_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  uint16_t port_ = 0;
  ConnectionId last_id_ = 0;
};

SimServer::SimServer(ServerOptions options, ConnectionListener *listener)
    : impl_(std::make_unique<Impl>(std::move(options), listener)) {}
SimServer::~SimServer() { Stop(); }
absl::Status SimServer::Start() { return impl_->Start(); }
void SimServer::Stop() { impl_->Stop(); }
uint16_t SimServer::port() const { return impl_->port(); }
void SimServer::Send(std::vector<Outbound> frames) { impl_->Send(std::move(frames)); }
void SimServer::SendToAll(std::string text) { impl_->SendToAll(std::move(text)); }
void SimServer::RunAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  impl_->RunAfter(delay, std::move(task));
}
void SimServer::DropAll() { impl_->DropAll(); }
void SimServer::SetStalled(bool stalled) { impl_->SetStalled(stalled); }
void SimServer::StartPushing(std::string frame, std::size_t count, double rate_per_second) {
  impl_->StartPushing(std::move(frame), count, rate_per_second);
}
std::size_t SimServer::open_count() const { return impl_->open_count(); }
std::size_t SimServer::accepted_count() const { return impl_->accepted_count(); }

}  // namespace wxbridge::sim
