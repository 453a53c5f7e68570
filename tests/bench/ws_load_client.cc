#include "tests/bench/ws_load_client.h"

#include <cstdlib>
#include <deque>
#include <future>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/websocket.hpp"
#include "nlohmann/json.hpp"
#include "server/protocol/command_builder.h"
#include "server/protocol/frame_encoder.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr char kCmdIdPrefix[] = "wsb-";

// The call id echoed in a reply: our cmdId ("wsb-N"), else a lowercase msgId;
// 0: none.
uint64_t EchoedId(const std::string &frame) {
  static const std::string kCmdKey = absl::StrCat("\"cmdId\":\"", kCmdIdPrefix);
  if (std::size_t at = frame.find(kCmdKey); at != std::string::npos) {
    return std::strtoull(frame.c_str() + at + kCmdKey.size(), nullptr, 10);
  }
  if (std::size_t at = frame.find("\"msgId\":"); at != std::string::npos) {
    return std::strtoull(frame.c_str() + at + 8, nullptr, 10);
  }
  return 0;
}

// A MsgType 0 frame saying `account` is logged in (status 7, in the
// JSON-in-a-string).
bool IsLoggedIn(const std::string &frame, const std::string &account) {
  nlohmann::json outer = nlohmann::json::parse(frame, nullptr, false);
  if (!outer.is_object() || outer.value("MsgType", -1) != 0) return false;
  if (!outer.contains("account") || outer["account"] != account) return false;
  const auto content = outer.find("Content");
  if (content == outer.end() || !content->is_string()) return false;
  nlohmann::json inner = nlohmann::json::parse(content->get<std::string>(), nullptr, false);
  return inner.is_object() && inner.value("status", -1) == 7;
}

}  // namespace

class WsLoadClient::Session {
 public:
  Session(std::string url, std::string auth_key)
      : url_(std::move(url)),
        auth_key_(std::move(auth_key)),
        work_(asio::make_work_guard(io_)),
        ws_(io_),
        thread_([this] { io_.run(); }) {}

  ~Session() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      FailPending();
      work_.reset();
    });
    thread_.join();
  }

  absl::Status Connect(std::chrono::milliseconds timeout) {
    auto url = upstream::ParseUpstreamUrl(url_);
    if (!url.ok()) return url.status();
    if (url->tls) return absl::InvalidArgumentError("the bench speaks ws:// only");
    std::promise<beast::error_code> connected;
    asio::post(io_, [this, &connected, url = *url, timeout] {
      tcp::resolver resolver(io_);
      beast::error_code ec;
      auto endpoints = resolver.resolve(url.host, url.port, ec);
      if (ec) return connected.set_value(ec);
      beast::get_lowest_layer(ws_).expires_after(timeout);
      beast::get_lowest_layer(ws_).async_connect(
          endpoints, [this, &connected, url](beast::error_code ec, const tcp::endpoint &) {
            if (ec) return connected.set_value(ec);
            beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
            ws_.async_handshake(url.host + ":" + url.port, url.target,
                                [this, &connected](beast::error_code ec) {
                                  beast::get_lowest_layer(ws_).expires_never();
                                  ws_.text(true);
                                  if (!ec) ReadNext();
                                  connected.set_value(ec);
                                });
          });
    });
    const beast::error_code ec = connected.get_future().get();
    if (ec) return absl::UnavailableError(absl::StrCat("connect ", url_, ": ", ec.message()));
    return absl::OkStatus();
  }

  absl::Status LogIn(const std::string &account, std::chrono::milliseconds timeout) {
    wxbridge::v1::LoginRequest request;
    request.set_account(account);
    auto command = protocol::BuildCommand(request);
    if (!command.ok()) return command.status();
    // Shared: the I/O thread may still hold it if we give up waiting.
    auto logged_in = std::make_shared<std::promise<void>>();
    auto future = logged_in->get_future();
    asio::post(io_, [this, account, logged_in, command = std::move(*command)] {
      login_account_ = account;
      login_done_ = logged_in;
      Send(Encode(command, ++next_id_));
    });
    if (future.wait_for(timeout) != std::future_status::ready) {
      asio::post(io_, [this] { login_done_ = nullptr; });
      return absl::DeadlineExceededError(absl::StrCat(account, " never reached status 7"));
    }
    return absl::OkStatus();
  }

  absl::Status SetRequest(const wxbridge::v1::SendTextRequest &request) {
    auto command = protocol::BuildCommand(request);
    if (!command.ok()) return command.status();
    asio::post(io_,
               [this, command = std::move(*command)]() mutable { command_ = std::move(command); });
    return absl::OkStatus();
  }

  void Call(CallDone done) {
    asio::post(io_, [this, done = std::move(done)]() mutable {
      if (!open_) return done(false);
      const uint64_t id = ++next_id_;
      pending_.emplace(id, std::move(done));
      Send(Encode(command_, id));
    });
  }

 private:
  std::string Encode(const protocol::Command &command, uint64_t id) const {
    protocol::FrameStamp stamp;
    stamp.msg_id = id;
    stamp.cmd_id = absl::StrCat(kCmdIdPrefix, id);
    return protocol::EncodeFrame(command, auth_key_, stamp);
  }

  // One write in flight (Beast's rule); the rest wait in order.
  void Send(std::string frame) {
    writes_.push_back(std::move(frame));
    if (writes_.size() == 1) WriteNext();
  }

  void WriteNext() {
    ws_.async_write(asio::buffer(writes_.front()), [this](beast::error_code ec, std::size_t) {
      if (ec) return Fail(ec);
      writes_.pop_front();
      if (!writes_.empty()) WriteNext();
    });
  }

  void ReadNext() {
    open_ = true;
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) return Fail(ec);
      OnFrame(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      ReadNext();
    });
  }

  void OnFrame(const std::string &frame) {
    if (login_done_ != nullptr && IsLoggedIn(frame, login_account_)) {
      std::exchange(login_done_, nullptr)->set_value();
      return;
    }
    const uint64_t id = EchoedId(frame);
    if (id == 0) return;
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    CallDone done = std::move(it->second);
    pending_.erase(it);
    done(true);
  }

  void Fail(beast::error_code ec) {
    open_ = false;
    writes_.clear();
    FailPending();
  }

  void FailPending() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto &[id, done] : pending) done(false);
  }

  const std::string url_;
  const std::string auth_key_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  websocket::stream<beast::tcp_stream> ws_;
  std::thread thread_;

  // I/O thread only.
  bool open_ = false;
  beast::flat_buffer buffer_;
  std::deque<std::string> writes_;
  std::unordered_map<uint64_t, CallDone> pending_;
  protocol::Command command_;
  uint64_t next_id_ = 0;
  std::string login_account_;
  std::shared_ptr<std::promise<void>> login_done_;
};

WsLoadClient::WsLoadClient(std::string url, std::string auth_key)
    : session_(std::make_shared<Session>(std::move(url), std::move(auth_key))) {}
WsLoadClient::~WsLoadClient() = default;

absl::Status WsLoadClient::Connect(std::chrono::milliseconds timeout) {
  return session_->Connect(timeout);
}
absl::Status WsLoadClient::LogIn(const std::string &account, std::chrono::milliseconds timeout) {
  return session_->LogIn(account, timeout);
}
absl::Status WsLoadClient::SetRequest(const wxbridge::v1::SendTextRequest &request) {
  return session_->SetRequest(request);
}
void WsLoadClient::Call(CallDone done) { session_->Call(std::move(done)); }

}  // namespace wxbridge::bench
