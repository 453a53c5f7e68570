#include "server/sim/sim_server.h"

#include <atomic>
#include <deque>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core/bind_handler.hpp"
#include "boost/beast/core/buffers_to_string.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/websocket.hpp"
#include "server/common/log.h"
#include "server/common/tcp_listen.h"
#include "server/sim/stallable_socket.h"

namespace wxbridge::sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

constexpr std::string_view kLogComponent = "wxsim";

using QueuedFrame = std::shared_ptr<const std::string>;

class Session;

// What the server and its sessions share. I/O thread only, except the counters.
struct ServerState {
  ConnectionListener *listener = nullptr;
  ServerOptions options;
  bool stalled = false;
  bool reads_paused = false;
  std::unordered_map<ConnectionId, std::shared_ptr<Session>> sessions;
  std::atomic<std::size_t> open{0};
  std::atomic<std::size_t> accepted{0};
  // The most connections open at once (written on the I/O thread only).
  std::atomic<std::size_t> peak_open{0};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ConnectionId id, ServerState &state)
      : ws_(std::move(socket), state.stalled, state.reads_paused), id_(id), state_(state) {}

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

  void SetFrameSource(std::shared_ptr<const FrameSource> source) {
    source_ = std::move(source);
    MaybeWrite();
  }

  void MaybeWrite() {
    if (writing_ || !is_open()) return;
    if (queue_.empty() && !Pull()) return;
    writing_ = true;
    const std::string &front = *queue_.front();
    Log(LogLevel::kDebug, kLogComponent, "connection ", id_, ": frame out, ", front.size(),
        " bytes");
    ws_.text(true);
    ws_.async_write(net::buffer(front),
                    beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
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
  void OnAccept(beast::error_code ec) {
    if (ec) {
      Log(LogLevel::kInfo, kLogComponent, "connection ", id_, ": handshake failed: ", ec.message());
      closed_ = true;
      state_.sessions.erase(id_);
      return;
    }
    open_ = true;
    const std::size_t open = ++state_.open;
    if (open > state_.peak_open) state_.peak_open = open;
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
    if (state_.stalled || state_.reads_paused) {
      // A read already past the gate when the stall began: a hung gateway acts on
      // nothing more; Resume() picks it up.
      parked_ = true;
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

  // Queues the source's next frame, made now, if it has one.
  bool Pull() {
    if (!source_) return false;
    std::optional<std::string> frame = (*source_)(id_);
    if (!frame) return false;
    queue_.push_back(std::make_shared<const std::string>(std::move(*frame)));
    return true;
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return Drop();  // the pending read fails next and closes the session
    queue_.pop_front();
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
  std::shared_ptr<const FrameSource> source_;
  bool open_ = false;
  bool closed_ = false;
  bool writing_ = false;
  bool parked_ = false;  // a frame was read while stalled and awaits Resume()
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
    ec = ListenOn(acceptor_, endpoint);
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
  std::size_t peak_open_count() const { return state_.peak_open; }

  void Send(std::vector<Outbound> frames) {
    net::post(ioc_, [this, frames = std::move(frames)]() mutable {
      for (Outbound &frame : frames) {
        auto it = state_.sessions.find(frame.connection);
        if (it == state_.sessions.end()) continue;
        it->second->Send(std::make_shared<const std::string>(std::move(frame.text)));
      }
    });
  }

  void SendToAll(std::string text) {
    auto shared = std::make_shared<const std::string>(std::move(text));
    net::post(ioc_, [this, shared] { ForEachOpen([&](Session &s) { s.Send(shared); }); });
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

  void SetReadsPaused(bool paused) {
    net::post(ioc_, [this, paused] {
      state_.reads_paused = paused;
      if (!paused) ForEachOpen([](Session &s) { s.Resume(); });
    });
  }

  void SetFrameSource(FrameSource source) {
    std::shared_ptr<const FrameSource> shared;
    if (source) shared = std::make_shared<const FrameSource>(std::move(source));
    net::post(ioc_, [this, shared] { ForEachOpen([&](Session &s) { s.SetFrameSource(shared); }); });
  }

  void PullFrames() {
    net::post(ioc_, [this] { ForEachOpen([](Session &s) { s.MaybeWrite(); }); });
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
void SimServer::SetReadsPaused(bool paused) { impl_->SetReadsPaused(paused); }
void SimServer::SetFrameSource(FrameSource source) { impl_->SetFrameSource(std::move(source)); }
void SimServer::PullFrames() { impl_->PullFrames(); }
std::size_t SimServer::open_count() const { return impl_->open_count(); }
std::size_t SimServer::accepted_count() const { return impl_->accepted_count(); }
std::size_t SimServer::peak_open_count() const { return impl_->peak_open_count(); }

}  // namespace wxbridge::sim
