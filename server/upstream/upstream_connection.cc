// Beast lives here and only here (compile time): one class template over the two stream
// types, plain TCP for ws:// and TLS over TCP for wss://.
#include "server/upstream/upstream_connection.h"

#include <openssl/ssl.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/asio/ip/address.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "boost/beast/websocket.hpp"
#include "boost/beast/websocket/ssl.hpp"
#include "server/upstream/read_first_stream.h"

namespace wxbridge::upstream {
namespace {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// RFC 6455 4.1: the Host header carries the port only when it is not the scheme's default.
std::string HostHeader(const UpstreamUrl& url) {
  std::string host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  if (url.port != (url.tls ? "443" : "80")) absl::StrAppend(&host, ":", url.port);
  return host;
}

bool IsIpAddress(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

using Clock = std::chrono::steady_clock;

template <bool kTls>
class Connection final : public UpstreamConnection,
                         public std::enable_shared_from_this<Connection<kTls>> {
 public:
  // ReadFirstStream: a close frame that arrives with the reset that fails a write is still
  // read, so a refusal (1009) is told apart from a lost connection.
  using Tcp = ReadFirstStream<beast::tcp_stream>;
  using Transport = std::conditional_t<kTls, beast::ssl_stream<Tcp>, Tcp>;

  // `stream_args` construct the transport: (io) or (io, tls context).
  template <typename... StreamArgs>
  Connection(boost::asio::io_context& io, const UpstreamConfig& config, const UpstreamUrl& url,
             std::shared_ptr<ssl::context> tls, ConnectionEvents events,
             StreamArgs&&... stream_args)
      : config_(config),
        url_(url),
        url_text_(RedactUrl(config.url)),
        tls_(std::move(tls)),
        events_(std::move(events)),
        resolver_(io),
        close_guard_(io),
        keepalive_(io),
        ws_(std::forward<StreamArgs>(stream_args)...) {}

  void Open() override {
    resolver_.async_resolve(url_.host, url_.port,
                            beast::bind_front_handler(&Connection::OnResolve, Self()));
  }

  void Write(std::shared_ptr<const std::string> frame) override {
    // The handler holds the frame: its bytes must live until the write completes.
    const auto bytes = boost::asio::buffer(*frame);
    ws_.async_write(bytes,
                    [self = Self(), frame = std::move(frame)](beast::error_code ec, std::size_t) {
                      if (self->finished_) return;
                      if (ec) return self->Fail(self->DescribeDrop(ec));
                      self->events_.on_write_done();
                    });
  }

  void Close(std::function<void()> done) override {
    if (finished_ || !open_) {
      Abort();
      done();
      return;
    }
    finished_ = true;
    keepalive_.cancel();
    // Beast's own closing timeout starts only once the close frame can be sent, i.e.
    // after a write in flight has finished, which a gateway that stopped reading never
    // lets happen: this timer bounds the whole close.
    close_guard_.expires_after(config_.close_timeout);
    close_guard_.async_wait([self = Self()](beast::error_code ec) {
      if (!ec) self->CloseSocket();
    });
    ws_.async_close(websocket::close_code::normal,
                    [self = Self(), done = std::move(done)](beast::error_code) {
                      self->close_guard_.cancel();
                      self->CloseSocket();
                      done();
                    });
  }

  void Abort() override {
    finished_ = true;
    resolver_.cancel();
    keepalive_.cancel();
    CloseSocket();
  }

 private:
  std::shared_ptr<Connection> Self() { return this->shared_from_this(); }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (finished_) return;
    if (ec) return Fail(Describe("resolve", ec));
    beast::get_lowest_layer(ws_).expires_after(config_.connect_timeout);
    beast::get_lowest_layer(ws_).async_connect(
        endpoints, beast::bind_front_handler(&Connection::OnConnect, Self()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (finished_) return;
    if (ec) return Fail(Describe("connect to", ec));
    if constexpr (kTls) {
      SSL* handle = ws_.next_layer().native_handle();
      // SNI names hosts only, never IP literals (RFC 6066 section 3).
      if (!IsIpAddress(url_.host) && !SSL_set_tlsext_host_name(handle, url_.host.c_str())) {
        return Fail(absl::StrCat("TLS with ", url_text_, ": cannot set SNI"));
      }
      if (config_.tls_verify_peer) {
        ws_.next_layer().set_verify_mode(ssl::verify_peer);
        ws_.next_layer().set_verify_callback(ssl::host_name_verification(url_.host));
      }
      beast::get_lowest_layer(ws_).expires_after(config_.connect_timeout);
      ws_.next_layer().async_handshake(
          ssl::stream_base::client, beast::bind_front_handler(&Connection::OnTlsHandshake, Self()));
    } else {
      StartWebSocketHandshake();
    }
  }

  void OnTlsHandshake(beast::error_code ec) {
    if (finished_) return;
    if (ec) return Fail(absl::StrCat(Describe("TLS handshake with", ec), VerifyFailure()));
    StartWebSocketHandshake();
  }

  // Why the certificate was refused ("unable to get local issuer certificate", …), or
  // "" when it was not: OpenSSL's handshake error alone says only "verify failed".
  std::string VerifyFailure() {
    if constexpr (kTls) {
      const long result = SSL_get_verify_result(ws_.next_layer().native_handle());
      if (config_.tls_verify_peer && result != X509_V_OK) {
        return absl::StrCat(" (", X509_verify_cert_error_string(result),
                            config_.tls_ca_file.empty() ? "; verified against the system CAs"
                                                        : "; verified against --tls_ca_file",
                            ")");
      }
    }
    return "";
  }

  void StartWebSocketHandshake() {
    // From here the websocket stream keeps time (Timeouts()), not the TCP stream.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(Timeouts());
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "wxbridge");
    }));
    // 0 would mean "no limit" to Beast; the default (16 MiB) is too small for images.
    ws_.read_message_max(config_.max_frame_bytes);
    // One frame per message: simple gateways do not reassemble fragments.
    ws_.auto_fragment(false);
    ws_.text(true);
    ws_.async_handshake(response_, HostHeader(url_), url_.target,
                        beast::bind_front_handler(&Connection::OnHandshake, Self()));
  }

  void OnHandshake(beast::error_code ec) {
    if (finished_) return;
    if (ec) {
      // A timed-out handshake read no response: its status would be Beast's placeholder.
      const unsigned status = ec == beast::error::timeout ? 0 : response_.result_int();
      return Fail(absl::StrCat(Describe("WebSocket handshake with", ec),
                               status != 0 ? absl::StrCat(" (HTTP ", status, ")") : ""));
    }
    open_ = true;
    // Pongs, pings and the close frame are read by Beast without completing a read of ours.
    ws_.control_callback([this](websocket::frame_type type, beast::string_view) {
      last_heard_ = Clock::now();
      // The reason is known now (1009?): a write that failed may be delivered.
      if (type == websocket::frame_type::close) ReadFirst().StopHolding();
    });
    // Until now a failed write is reported at once (nothing of the gateway's to read yet);
    // a held one waits at most as long as a close handshake may take.
    ReadFirst().HoldFailedWrites(config_.close_timeout);
    last_heard_ = Clock::now();
    ArmKeepalive(config_.ping_interval);
    events_.on_open();
    if (!finished_) ReadNext();
  }

  // Keepalive by a timer of our own instead of Beast's idle timeout, which re-arms its
  // timer (a cancelled wait and two timerfd syscalls) on every frame read. Reads only
  // note the time; the timer wakes about once per ping_interval and checks it: after
  // ping_interval of silence it sends a ping, and when nothing at all arrives within
  // ping_interval after that, it drops the connection. So a gateway that stopped
  // answering is dropped 2 * ping_interval after it last sent anything.
  void ArmKeepalive(Clock::duration delay) {
    keepalive_.expires_after(delay);
    keepalive_.async_wait([self = Self()](beast::error_code ec) {
      if (!ec && !self->finished_) self->OnKeepaliveTimer();
    });
  }

  void OnKeepaliveTimer() {
    const Clock::time_point now = Clock::now();
    if (ping_sent_ && last_heard_ >= *ping_sent_) ping_sent_.reset();  // it answered
    if (ping_sent_) {
      if (now - *ping_sent_ >= config_.ping_interval) {
        return Fail(absl::StrCat("no answer to a ping within ", config_.ping_interval.count(),
                                 " ms: the gateway connection is dead"));
      }
      return ArmKeepalive(*ping_sent_ + config_.ping_interval - now);
    }
    const Clock::duration silence = now - last_heard_;
    if (silence < config_.ping_interval) return ArmKeepalive(config_.ping_interval - silence);
    ping_sent_ = now;
    ws_.async_ping({}, [self = Self()](beast::error_code ec) {
      if (ec && !self->finished_) self->Fail(self->DescribeDrop(ec));
    });
    ArmKeepalive(config_.ping_interval);
  }

  Tcp& ReadFirst() {
    if constexpr (kTls) {
      return ws_.next_layer().next_layer();
    } else {
      return ws_.next_layer();
    }
  }

  // Every close of the socket goes through here: a failed write held by ReadFirstStream
  // must then be delivered, or its handler would keep this connection alive.
  void CloseSocket() {
    beast::get_lowest_layer(ws_).close();
    ReadFirst().StopHolding();
  }

  void ReadNext() {
    ws_.async_read(inbound_, beast::bind_front_handler(&Connection::OnRead, Self()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (finished_) return;
    if (ec) return Fail(DescribeDrop(ec));
    last_heard_ = Clock::now();
    std::string frame = beast::buffers_to_string(inbound_.data());
    inbound_.consume(inbound_.size());
    events_.on_frame(std::move(frame), ws_.got_binary());
    if (!finished_) ReadNext();
  }

  websocket::stream_base::timeout Timeouts() const {
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = config_.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // OnKeepaliveTimer() instead
    timeouts.keep_alive_pings = false;
    return timeouts;
  }

  std::string Describe(absl::string_view step, beast::error_code ec) const {
    if (ec == beast::error::timeout) {
      return absl::StrCat(step, " ", url_text_, " timed out after ",
                          config_.connect_timeout.count(), " ms");
    }
    return absl::StrCat(step, " ", url_text_, ": ", ec.message());
  }

  // Why an open connection ended.
  std::string DescribeDrop(beast::error_code ec) const {
    if (ec == websocket::error::message_too_big) {
      return absl::StrCat("gateway frame larger than max_frame_bytes (", config_.max_frame_bytes,
                          ")");
    }
    if (ec == websocket::error::closed) {
      const websocket::close_reason& reason = ws_.reason();
      return absl::StrCat("the gateway closed the connection (code ", reason.code,
                          reason.reason.empty() ? "" : ": ",
                          absl::string_view(reason.reason.data(), reason.reason.size()), ")");
    }
    return absl::StrCat("connection to ", url_text_, " lost: ", ec.message());
  }

  void Fail(std::string reason) {
    if (finished_) return;
    // Set once the gateway's close frame has been read, whichever operation failed first.
    const bool frame_too_big = ws_.reason().code == websocket::close_code::too_big;
    Abort();
    events_.on_failed(std::move(reason), frame_too_big);
  }

  const UpstreamConfig config_;
  const UpstreamUrl url_;
  const std::string url_text_;               // redacted: safe in messages
  const std::shared_ptr<ssl::context> tls_;  // outlives the stream that uses it
  ConnectionEvents events_;
  tcp::resolver resolver_;
  boost::asio::steady_timer close_guard_;
  boost::asio::steady_timer keepalive_;
  websocket::stream<Transport> ws_;
  beast::flat_buffer inbound_;
  websocket::response_type response_;
  bool open_ = false;
  Clock::time_point last_heard_;                // when anything last arrived
  std::optional<Clock::time_point> ping_sent_;  // the unanswered ping, if any
  // Set on failure, Abort or Close: from then on no event fires.
  bool finished_ = false;
};

absl::Status LoadCaFile(ssl::context& context, const std::string& path) {
  // OpenSSL reports a missing or unreadable file as "system lib": say what the OS said.
  if (std::FILE* file = std::fopen(path.c_str(), "r")) {
    std::fclose(file);
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  beast::error_code ec;
  context.load_verify_file(path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("no usable PEM CA certificate in ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTlsCaFile(const std::string& path) {
  ssl::context context(ssl::context::tls_client);
  return LoadCaFile(context, path);
}

absl::StatusOr<std::shared_ptr<ssl::context>> MakeTlsContext(const UpstreamConfig& config) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (!config.tls_verify_peer) {
    context->set_verify_mode(ssl::verify_none);
    return context;
  }
  if (!config.tls_ca_file.empty()) {
    if (absl::Status loaded = LoadCaFile(*context, config.tls_ca_file); !loaded.ok()) {
      return loaded;
    }
  } else {
    beast::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot load the system CA certificates: ", ec.message()));
    }
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

std::shared_ptr<UpstreamConnection> MakeUpstreamConnection(boost::asio::io_context& io,
                                                           const UpstreamConfig& config,
                                                           const UpstreamUrl& url,
                                                           std::shared_ptr<ssl::context> tls,
                                                           ConnectionEvents events) {
  if (url.tls) {
    ssl::context& context = *tls;
    return std::make_shared<Connection<true>>(io, config, url, std::move(tls), std::move(events),
                                              io, context);
  }
  return std::make_shared<Connection<false>>(io, config, url, nullptr, std::move(events), io);
}

}  // namespace wxbridge::upstream
