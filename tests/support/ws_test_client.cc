#include "tests/support/ws_test_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core/buffers_to_string.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/websocket.hpp"

namespace wxbridge::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

// Where an asynchronous step reports; shared with its handler, which may
// outlive the call that started it when that call's deadline passes.
using Result = std::shared_ptr<std::optional<beast::error_code>>;
Result NewResult() { return std::make_shared<std::optional<beast::error_code>>(); }

struct ParsedUrl {
  std::string host;
  std::string port;
  std::string target;
};

std::optional<ParsedUrl> ParseWsUrl(const std::string &url) {
  constexpr std::string_view kScheme = "ws://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) return std::nullopt;
  const std::string rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  ParsedUrl parsed{authority.substr(0, colon), authority.substr(colon + 1),
                   slash == std::string::npos ? "/" : rest.substr(slash)};
  if (parsed.host.size() > 2 && parsed.host.front() == '[') {
    parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
  }
  return parsed;
}

}  // namespace

class WsTestClient::Impl {
 public:
  Impl() : ws_(ioc_) {
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++pongs_;
    });
  }

  absl::Status Connect(const std::string &url, std::chrono::milliseconds timeout) {
    std::optional<ParsedUrl> parsed = ParseWsUrl(url);
    if (!parsed) return absl::InvalidArgumentError(absl::StrCat("not a ws:// url: ", url));
    const auto deadline = Clock::now() + timeout;
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(parsed->host, parsed->port, ec);
    if (ec) return Failed("resolve", ec);
    Result done = NewResult();
    beast::get_lowest_layer(ws_).expires_after(timeout);
    beast::get_lowest_layer(ws_).async_connect(
        endpoints, [done](beast::error_code e, const tcp::endpoint &) { *done = e; });
    if (!RunUntil([&] { return done->has_value(); }, deadline)) return Timeout("connect");
    if (**done) return Failed("connect", **done);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.read_message_max(0);  // tests may receive anything
    done = NewResult();
    ws_.async_handshake(parsed->host, parsed->target, [done](beast::error_code e) { *done = e; });
    if (!RunUntil([&] { return done->has_value(); }, deadline)) return Timeout("handshake");
    if (**done) return Failed("handshake", **done);
    open_ = true;
    return absl::OkStatus();
  }

  absl::Status Write(const std::string &payload, bool text, std::chrono::milliseconds timeout) {
    if (!open_) return absl::FailedPreconditionError("not connected");
    Result done = NewResult();
    auto bytes = std::make_shared<const std::string>(payload);  // lives until written
    ws_.text(text);
    ws_.async_write(net::buffer(*bytes),
                    [done, bytes](beast::error_code e, std::size_t) { *done = e; });
    if (!RunUntil([&] { return done->has_value(); }, Clock::now() + timeout)) {
      open_ = false;  // a write still in flight forbids another one
      close_reason_ = "write timed out";
      return Timeout("write");
    }
    if (**done) return Failed("write", **done);
    return absl::OkStatus();
  }

  absl::Status Ping(std::chrono::milliseconds timeout) {
    if (!open_) return absl::FailedPreconditionError("not connected");
    Result done = NewResult();
    ws_.async_ping({}, [done](beast::error_code e) { *done = e; });
    RunUntil([&] { return done->has_value(); }, Clock::now() + timeout);
    if (done->has_value() && **done) return Failed("ping", **done);
    return absl::OkStatus();
  }

  std::optional<std::string> Receive(std::chrono::milliseconds timeout) {
    if (!open_) return std::nullopt;
    if (!reading_) {
      reading_ = true;
      ws_.async_read(buffer_, [this](beast::error_code e, std::size_t) {
        reading_ = false;
        read_result_ = e;
      });
    }
    if (!RunUntil([&] { return read_result_.has_value(); }, Clock::now() + timeout)) {
      return std::nullopt;
    }
    const beast::error_code ec = *read_result_;
    read_result_.reset();
    if (ec) {
      open_ = false;
      close_reason_ = ec.message();
      return std::nullopt;
    }
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return frame;
  }

  std::optional<std::string> ReceiveUntil(const std::function<bool(const std::string &)> &predicate,
                                          std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      std::optional<std::string> frame = Receive(left);
      if (!frame) return std::nullopt;
      if (predicate(*frame)) return frame;
    }
  }

  void Close(std::chrono::milliseconds timeout) {
    if (!open_) return;
    Result done = NewResult();
    ws_.async_close(websocket::close_code::normal, [done](beast::error_code e) { *done = e; });
    RunUntil([&] { return done->has_value() && !reading_; }, Clock::now() + timeout);
    open_ = false;
    close_reason_ = "closed by the client";
  }

  bool is_open() const { return open_; }
  std::string close_reason() const { return close_reason_; }
  std::size_t pongs() const { return pongs_; }

 private:
  // Runs handlers on this thread until `done` holds or the deadline passes.
  template <class Done>
  bool RunUntil(Done done, Clock::time_point deadline) {
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      if (ioc_.stopped()) ioc_.restart();
      ioc_.run_one_until(deadline);
    }
    return true;
  }

  static absl::Status Failed(const char *what, const beast::error_code &ec) {
    return absl::UnavailableError(absl::StrCat(what, ": ", ec.message()));
  }
  static absl::Status Timeout(const char *what) {
    return absl::DeadlineExceededError(absl::StrCat(what, " timed out"));
  }

  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  bool open_ = false;
  bool reading_ = false;
  std::optional<beast::error_code> read_result_;
  std::string close_reason_;
  std::size_t pongs_ = 0;
};

WsTestClient::WsTestClient() : impl_(std::make_unique<Impl>()) {}
WsTestClient::~WsTestClient() = default;

absl::Status WsTestClient::Connect(const std::string &url, std::chrono::milliseconds timeout) {
  return impl_->Connect(url, timeout);
}
absl::Status WsTestClient::SendText(const std::string &text, std::chrono::milliseconds timeout) {
  return impl_->Write(text, true, timeout);
}
absl::Status WsTestClient::SendBinary(const std::string &bytes, std::chrono::milliseconds timeout) {
  return impl_->Write(bytes, false, timeout);
}
absl::Status WsTestClient::Ping(std::chrono::milliseconds timeout) { return impl_->Ping(timeout); }
std::optional<std::string> WsTestClient::Receive(std::chrono::milliseconds timeout) {
  return impl_->Receive(timeout);
}
std::optional<std::string> WsTestClient::ReceiveUntil(
    const std::function<bool(const std::string &)> &predicate, std::chrono::milliseconds timeout) {
  return impl_->ReceiveUntil(predicate, timeout);
}
bool WsTestClient::is_open() const { return impl_->is_open(); }
std::string WsTestClient::close_reason() const { return impl_->close_reason(); }
std::size_t WsTestClient::pongs_received() const { return impl_->pongs(); }
void WsTestClient::Close(std::chrono::milliseconds timeout) { impl_->Close(timeout); }

}  // namespace wxbridge::testing
