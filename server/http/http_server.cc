#include "server/http/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/clock.h"
#include "server/common/log.h"
#include "server/common/tcp_listen.h"
#include "server/http/console_assets.h"
#include "server/http/event_query.h"
#include "server/http/http_errors.h"
#include "server/http/json_api.h"
#include "server/http/sse_format.h"
#include "server/rpc/call_access.h"
#include "server/rpc/subscribe_request.h"

namespace wxbridge::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using Clock = std::chrono::steady_clock;

// An event stream writes at most about this much at a time, so one burst does not hold a
// slow client's whole backlog in memory.
constexpr std::size_t kMaxSseWriteBytes = std::size_t{256} * 1024;
constexpr std::size_t kMaxHeaderBytes = std::size_t{16} * 1024;
constexpr char kServicePath[] = "/wxbridge.v1.BridgeService/";

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// What every connection shares; held by each session, so a session whose call answers
// after Stop still finds it.
struct Shared {
  Shared(HttpServerOptions server_options, rpc::CommandCore* command_core,
         rpc::SubscribeOptions subscribe_options, rpc::SubscriberRegistry* subscribers)
      : options(std::move(server_options)),
        core(command_core),
        api(command_core),
        subscribe(std::move(subscribe_options)),
        registry(subscribers) {}

  const HttpServerOptions options;
  rpc::CommandCore* const core;
  JsonApi api;
  const rpc::SubscribeOptions subscribe;
  rpc::SubscriberRegistry* const registry;
  std::atomic<std::size_t> connections{0};
};

// The host of a Host or Origin value, without port or brackets.
std::string_view HostPart(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  const std::size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

// Without tokens the port trusts whoever reaches it, which is safe only for this
// machine's own clients. A web page elsewhere can still make a browser here send
// requests: a cross-site Origin is refused, and so is a Host that is a name rather than
// an address (DNS rebinding points an attacker's name at 127.0.0.1).
absl::Status CheckBrowserOrigin(const Request& request, bool tokens_enabled) {
  const std::string_view host = request[bhttp::field::host];
  const std::string_view origin = request[bhttp::field::origin];
  if (!origin.empty()) {
    const std::size_t scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos || origin.substr(scheme_end + 3) != host) {
      return absl::PermissionDeniedError(
          "cross-origin requests are refused: the Origin header is not this server");
    }
  }
  if (tokens_enabled) return absl::OkStatus();
  const std::string_view name = HostPart(host);
  boost::system::error_code ec;
  net::ip::make_address(std::string(name), ec);
  if (!ec || beast::iequals(name, "localhost")) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "without tokens (--tokens_file) only requests to an IP address or localhost are "
      "served; use one in the URL, or enable tokens");
}

std::optional<std::chrono::milliseconds> RequestTimeout(const Request& request,
                                                        absl::Status* error) {
  const std::string_view value = request["X-Timeout-Ms"];
  if (value.empty()) return std::nullopt;
  int64_t ms = 0;
  if (!absl::SimpleAtoi(absl::string_view(value.data(), value.size()), &ms) || ms <= 0) {
    *error = absl::InvalidArgumentError("X-Timeout-Ms must be a positive number of milliseconds");
    return std::nullopt;
  }
  return std::chrono::milliseconds(ms);
}

bool IsJsonContentType(std::string_view type) {
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return beast::iequals(media, "application/json");
}

template <class Socket>
class Session final : public std::enable_shared_from_this<Session<Socket>>,
                      public rpc::SubscriberRegistry::Stream {
 public:
  Session(net::io_context& io, std::shared_ptr<Shared> shared, Socket stream, std::string peer)
      : io_(io), shared_(std::move(shared)), stream_(std::move(stream)), peer_(std::move(peer)) {}

  ~Session() {
    if (wakeup_id_ != 0) shared_->subscribe.log->CancelNotify(wakeup_id_);
    if (registered_) shared_->registry->Remove(this);
    shared_->connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void Start() {
    if constexpr (std::is_same_v<Socket, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.config.request_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->ReadRequest();
                              });
    } else {
      ReadRequest();
    }
  }

  // SubscriberRegistry::Stream: any thread.
  void FinishStream(const grpc::Status& status) override {
    net::post(io_, [self = this->shared_from_this(), status = FromGrpc(status)] {
      self->EndEvents(status);
    });
  }
  uint64_t cursor() const override { return published_cursor_.load(std::memory_order_relaxed); }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(shared_->options.config.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    beast::get_lowest_layer(stream_).expires_after(shared_->options.config.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->OnRequest(ec);
                      });
  }

  void OnRequest(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      return SendError(
          absl::ResourceExhaustedError(absl::StrCat(
              "the request body is over the bridge's limit of ",
              shared_->options.config.max_body_bytes, " bytes (--http_max_body_bytes)")),
          413);
    }
    if (ec == bhttp::error::header_limit) {
      keep_alive_ = false;
      return SendError(absl::InvalidArgumentError("the request headers are too large"), 431);
    }
    if (ec) return Close();  // closed, timed out or malformed: nobody to answer
    beast::get_lowest_layer(stream_).expires_never();
    request_ = parser_->release();
    keep_alive_ = request_.keep_alive();
    Route();
  }

  void Route() {
    const std::string_view target(request_.target().data(), request_.target().size());
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    if (absl::Status allowed = CheckBrowserOrigin(request_, shared_->options.tokens_enabled);
        !allowed.ok()) {
      return SendError(allowed);
    }
    if (path == "/v1/events") {
      if (request_.method() != bhttp::verb::get) return SendMethodNotAllowed("GET");
      return StartEvents(query);
    }
    if (path.rfind("/v1/", 0) == 0) {
      const std::string_view method = path.substr(4);
      if (!JsonApi::Serves(method)) {
        return SendError(absl::NotFoundError(
            absl::StrCat("no method \"", std::string(method.substr(0, 64)),
                         "\": POST /v1/<Method> takes a unary method of wxbridge.v1.BridgeService "
                         "(e.g. /v1/SendText), GET /v1/events the event stream")));
      }
      if (request_.method() != bhttp::verb::post) return SendMethodNotAllowed("POST");
      return CallMethod(method);
    }
    if (const ConsoleAsset* asset = FindConsoleAsset(path)) {
      if (request_.method() != bhttp::verb::get && request_.method() != bhttp::verb::head) {
        return SendMethodNotAllowed("GET");
      }
      return SendAsset(*asset);
    }
    return SendError(
        absl::NotFoundError(absl::StrCat("nothing at ", std::string(path.substr(0, 128)))));
  }

  void CallMethod(std::string_view method) {
    // A JSON content type also makes a browser ask first (CORS preflight) before a page
    // of another site could send one; this port never says yes.
    if (!IsJsonContentType(request_[bhttp::field::content_type])) {
      return SendError(absl::InvalidArgumentError("the body must be JSON: send "
                                                  "\"Content-Type: application/json\""),
                       415);
    }
    absl::Status bad_timeout;
    const std::optional<std::chrono::milliseconds> timeout = RequestTimeout(request_, &bad_timeout);
    if (!bad_timeout.ok()) return SendError(bad_timeout);
    const std::string authorization(request_[bhttp::field::authorization]);
    call_method_ = absl::StrCat(kServicePath, std::string(method));
    call_started_ = Clock::now();
    call_id_ = shared_->api.Call(
        method, rpc::Caller{authorization, peer_}, request_.body(), timeout,
        [self = this->shared_from_this()](const absl::Status& status, std::string json) {
          net::post(self->io_, [self, status, json = std::move(json)]() mutable {
            self->call_id_ = 0;
            self->ReportCall(status.code(), true, Clock::now() - self->call_started_);
            if (status.ok()) return self->SendJson(200, std::move(json));
            self->SendError(status);
          });
        });
  }

  void ReportCall(absl::StatusCode code, bool unary, Clock::duration latency) {
    if (shared_->options.on_call_finished) {
      shared_->options.on_call_finished(
          call_method_, code, unary, std::chrono::duration_cast<std::chrono::nanoseconds>(latency));
    }
  }

  void SendMethodNotAllowed(const char* allow) {
    auto response = MakeResponse(
        405, ErrorJson(absl::InvalidArgumentError(absl::StrCat(
                 "use ", allow, " for ", std::string(request_.target().substr(0, 128))))));
    response.set(bhttp::field::allow, allow);
    Send(std::move(response));
  }

  // The web console's files need no token: they hold no data. Their policy lets the page
  // load only its own files (and the QR code's data: image) and talk only to this port.
  void SendAsset(const ConsoleAsset& asset) {
    Response response(bhttp::status::ok, 11);
    response.set(bhttp::field::content_type, asset.content_type);
    response.set(bhttp::field::cache_control, "no-cache");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Frame-Options", "DENY");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
                 "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    response.keep_alive(keep_alive_);
    if (request_.method() == bhttp::verb::head) {
      response.content_length(asset.body.size());
    } else {
      response.body() = std::string(asset.body);
      response.prepare_payload();
    }
    Send(std::move(response));
  }

  void SendError(const absl::Status& status, int http_status = 0) {
    SendJson(http_status != 0 ? http_status : HttpStatusOf(status.code()), ErrorJson(status));
  }

  void SendJson(int status, std::string json) { Send(MakeResponse(status, std::move(json))); }

  Response MakeResponse(int status, std::string json) {
    Response response(static_cast<bhttp::status>(status), 11);
    response.set(bhttp::field::content_type, "application/json");
    response.set(bhttp::field::cache_control, "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    response.keep_alive(keep_alive_);
    response.body() = std::move(json);
    response.prepare_payload();
    return response;
  }

  void Send(Response response) {
    response_ = std::make_unique<Response>(std::move(response));
    bhttp::async_write(stream_, *response_,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         self->response_.reset();
                         if (ec || !self->keep_alive_) return self->Close();
                         self->ReadRequest();
                       });
  }

  // GET /v1/events: checks as Subscribe does, then the stream.
  void StartEvents(std::string_view query) {
    std::string token = "-";
    absl::StatusOr<std::shared_ptr<const auth::Grant>> grant =
        shared_->core->Authorize(request_[bhttp::field::authorization], "Subscribe", &token);
    if (!grant.ok()) {
      rpc::LogRefusedRead("Subscribe", token, peer_, grant.status());
      return SendError(grant.status());
    }
    absl::StatusOr<v1::SubscribeRequest> subscribe =
        ParseEventQuery(query, request_["Last-Event-ID"]);
    if (!subscribe.ok()) return SendError(subscribe.status());
    if (grpc::Status parsed =
            rpc::ParseSubscribeRequest(*subscribe, shared_->subscribe, **grant, &params_);
        !parsed.ok()) {
      return SendError(FromGrpc(parsed));
    }
    events::EventStore* log = shared_->subscribe.log;
    const uint64_t oldest = log->oldest_seq();  // before head: never oldest > head
    const uint64_t head = log->head_seq();
    if (grpc::Status resume = rpc::CheckResumePoint(*subscribe, params_, *log, head);
        !resume.ok()) {
      return SendError(FromGrpc(resume));
    }
    if (std::optional<grpc::Status> refused =
            shared_->registry->Add(this, this->weak_from_this(), shared_->subscribe.max_streams)) {
      return SendError(FromGrpc(*refused));
    }
    registered_ = true;
    streaming_ = true;
    call_method_ = absl::StrCat(kServicePath, "Subscribe");
    cursor_ = params_.after_seq.value_or(head);
    published_cursor_.store(cursor_, std::memory_order_relaxed);

    v1::StreamHello hello;
    hello.set_log_id(log->log_id());
    hello.set_upstream_state(shared_->subscribe.upstream_state ? shared_->subscribe.upstream_state()
                                                               : v1::UPSTREAM_STATE_UNSPECIFIED);
    hello.set_head_seq(head);
    hello.set_oldest_seq(oldest);
    *hello.mutable_heartbeat_interval() =
        google::protobuf::util::TimeUtil::MillisecondsToDuration(params_.heartbeat.count());
    hello.set_bridge_version(shared_->subscribe.bridge_version);
    *hello.mutable_server_time() = NowTimestamp();

    // The header alone, then raw SSE text: the body ends when the connection does.
    auto header = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::ok, 11);
    header->set(bhttp::field::content_type, "text/event-stream");
    header->set(bhttp::field::cache_control, "no-store");
    header->set("X-Accel-Buffering", "no");  // proxies must not hold events back
    header->set("X-Content-Type-Options", "nosniff");
    header->keep_alive(false);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*header);
    pending_.clear();
    AppendSseHello(hello, &pending_);
    writing_ = true;
    bhttp::async_write_header(
        stream_, *serializer,
        [self = this->shared_from_this(), header, serializer](beast::error_code ec, std::size_t) {
          self->writing_ = false;
          if (ec) return self->EndEvents(absl::CancelledError("the client went away"));
          self->WatchForClose();
          self->WritePending();
          self->ArmHeartbeat(self->params_.heartbeat);
        });
  }

  // A client of an event stream sends nothing more; this read ends when it goes away,
  // which ends the stream at once. It is also what keeps a caught-up stream alive:
  // wakeups and the heartbeat timer hold only weak references.
  void WatchForClose() {
    stream_.async_read_some(net::buffer(discard_), [self = this->shared_from_this()](
                                                       beast::error_code ec, std::size_t) {
      if (ec) return self->EndEvents(absl::CancelledError("the client went away"));
      if (self->streaming_) self->WatchForClose();
    });
  }

  // Reads the log after the cursor and writes what matches; waits for the next append
  // when caught up. One write at a time: a client that does not read only falls behind
  // in the log (and gets a gap), it never holds up the log or other clients.
  void Pump() {
    if (!streaming_ || writing_ || wakeup_id_ != 0) return;
    events::EventStore* log = shared_->subscribe.log;
    std::size_t delivered = 0;
    while (pending_.size() < kMaxSseWriteBytes) {
      events::EventStore::ReadResult read = log->ReadAfter(cursor_, shared_->subscribe.read_chunk);
      if (!read.status.ok()) return EndEvents(read.status);
      if (read.gap) {
        cursor_ = read.gap->first_available_seq() - 1;
        read.gap->set_log_id(log->log_id());
        AppendSseGap(*read.gap, &pending_);
        shared_->registry->CountGap();
      }
      if (read.events.empty()) break;
      for (const events::RetainedEventPtr& event : read.events) {
        cursor_ = event->seq;
        if (!params_.filter.Matches(*event)) continue;
        AppendSseEvent(*event, &pending_);
        ++delivered;
      }
    }
    if (delivered > 0) shared_->registry->CountDelivered(delivered);
    if (!pending_.empty()) return WritePending();
    published_cursor_.store(cursor_, std::memory_order_relaxed);  // caught up
    wakeup_id_ = log->NotifyAfter(cursor_, [weak = this->weak_from_this()] {
      if (auto self = weak.lock()) {
        net::post(self->io_, [self] {
          self->wakeup_id_ = 0;
          self->Pump();
        });
      }
    });
    if (wakeup_id_ == 0) net::post(io_, [self = this->shared_from_this()] { self->Pump(); });
  }

  void WritePending() {
    if (!streaming_ || writing_ || pending_.empty()) return;
    writing_ = true;
    last_write_ = Clock::now();
    writing_text_.swap(pending_);
    pending_.clear();
    published_cursor_.store(cursor_, std::memory_order_relaxed);
    net::async_write(stream_, net::buffer(writing_text_),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       self->writing_text_.clear();
                       if (ec) return self->EndEvents(absl::CancelledError("the client went away"));
                       if (!self->pending_.empty()) return self->WritePending();
                       self->Pump();
                     });
  }

  void ArmHeartbeat(Clock::duration delay) {
    if (!streaming_) return;
    if (!timer_) timer_.emplace(io_);
    timer_->expires_after(delay);
    timer_->async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->OnHeartbeatTimer();
    });
  }

  void OnHeartbeatTimer() {
    if (!streaming_) return;
    const Clock::time_point now = Clock::now();
    if (!writing_ && now - last_write_ >= params_.heartbeat) {
      AppendSseHeartbeat(shared_->subscribe.log->head_seq(), &pending_);
      WritePending();
    }
    const Clock::duration until_due = last_write_ + params_.heartbeat - now;
    ArmHeartbeat(until_due > Clock::duration::zero() ? until_due : params_.heartbeat);
  }

  // Ends an event stream: tells the client why (when it still reads), then closes.
  void EndEvents(const absl::Status& status) {
    if (!streaming_) return Close();
    streaming_ = false;
    ReportCall(status.code(), false, Clock::duration::zero());
    if (wakeup_id_ != 0) shared_->subscribe.log->CancelNotify(wakeup_id_);
    wakeup_id_ = 0;
    if (timer_) timer_->cancel();
    if (status.code() == absl::StatusCode::kCancelled || writing_) return Close();
    pending_.clear();
    AppendSseEnd(ErrorJson(status), &pending_);
    writing_ = true;
    writing_text_.swap(pending_);
    net::async_write(stream_, net::buffer(writing_text_),
                     [self = this->shared_from_this()](beast::error_code, std::size_t) {
                       self->writing_ = false;
                       self->Close();
                     });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    if (timer_) timer_->cancel();
    if (call_id_ != 0) shared_->api.Cancel(call_id_);
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  // Sessions live in the server's io_context (in its handlers, or in a call's answer
  // while the GatewayLink runs it), so it outlives them: the server stops only after
  // every call has completed.
  net::io_context& io_;
  const std::shared_ptr<Shared> shared_;
  Socket stream_;
  const std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  std::unique_ptr<Response> response_;
  bool keep_alive_ = false;
  bool closed_ = false;
  uint64_t call_id_ = 0;     // the call this connection waits for
  std::string call_method_;  // its gRPC path, for on_call_finished
  Clock::time_point call_started_;

  // The event stream, when this connection serves one.
  bool registered_ = false;
  bool streaming_ = false;
  bool writing_ = false;
  rpc::SubscribeParams params_;
  uint64_t cursor_ = 0;
  std::atomic<uint64_t> published_cursor_{0};
  uint64_t wakeup_id_ = 0;
  std::array<char, 512> discard_;  // what an event stream's client sends anyway
  std::string pending_;            // SSE text not yet written
  std::string writing_text_;       // the write in flight
  Clock::time_point last_write_;
  std::optional<net::steady_timer> timer_;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, rpc::CommandCore* core, rpc::SubscribeOptions subscribe,
       rpc::SubscriberRegistry* registry)
      : io_(std::make_unique<net::io_context>(1)),
        shared_(std::make_shared<Shared>(std::move(options), core, std::move(subscribe), registry)),
        acceptor_(*io_) {}

  ~Impl() { Stop(); }

  absl::Status Start() {
    const HttpServerOptions& options = shared_->options;
    if (options.tls.enabled()) {
      tls_.emplace(ssl::context::tls_server);
      tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      boost::system::error_code ec;
      tls_->use_certificate_chain_file(options.tls.cert, ec);
      if (!ec) tls_->use_private_key_file(options.tls.key, ssl::context::pem, ec);
      if (!ec && !options.tls.client_ca.empty()) {
        tls_->load_verify_file(options.tls.client_ca, ec);
        tls_->set_verify_mode(options.tls.client_certificates == auth::ClientCertificates::kRequire
                                  ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                                  : ssl::verify_peer);
      }
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat("HTTP port: cannot load the TLS files: ", ec.message()));
      }
    }
    const std::string& listen = options.config.listen;
    const std::size_t colon = listen.rfind(':');
    uint32_t port = 0;
    boost::system::error_code ec;
    net::ip::address address;
    if (colon != std::string::npos) {
      std::string host = listen.substr(0, colon);
      if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
      if (host == "localhost") host = "127.0.0.1";
      address = net::ip::make_address(host, ec);
    }
    if (colon == std::string::npos || ec || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
        port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--http_listen must be IP:PORT (e.g. 127.0.0.1:8080), not \"", listen, "\""));
    }
    const tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    ec = ListenOn(acceptor_, endpoint);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", listen, " for HTTP: ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_->run(); });
    return absl::OkStatus();
  }

  int port() const { return port_; }

  // Handlers left in the io_context (and the sessions they hold) are destroyed with it.
  void Stop() {
    if (!thread_.joinable()) return;
    io_->stop();
    thread_.join();
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) OnAccept(std::move(socket));
      Accept();
    });
  }

  void OnAccept(tcp::socket socket) {
    if (shared_->connections.fetch_add(1, std::memory_order_relaxed) >=
        shared_->options.config.max_connections) {
      shared_->connections.fetch_sub(1, std::memory_order_relaxed);
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    beast::error_code ec;
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    std::string peer = ec ? "http:unknown"
                          : absl::StrCat("http:", remote.address().to_string(), ":", remote.port());
    if (tls_) {
      using TlsStream = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<Session<TlsStream>>(
          *io_, shared_, TlsStream(beast::tcp_stream(std::move(socket)), *tls_), std::move(peer))
          ->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(
          *io_, shared_, beast::tcp_stream(std::move(socket)), std::move(peer))
          ->Start();
    }
  }

  const std::unique_ptr<net::io_context> io_;  // first: destroyed after everything it serves
  const std::shared_ptr<Shared> shared_;
  std::optional<ssl::context> tls_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::thread thread_;
};

HttpServer::HttpServer(HttpServerOptions options, rpc::CommandCore* core,
                       rpc::SubscribeOptions subscribe, rpc::SubscriberRegistry* registry)
    : impl_(std::make_unique<Impl>(std::move(options), core, std::move(subscribe), registry)) {}

HttpServer::~HttpServer() = default;

absl::Status HttpServer::Start() { return impl_->Start(); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace wxbridge::http
