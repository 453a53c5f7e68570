#include "tests/support/ws_test_server.h"

#include <stdlib.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "boost/beast/websocket.hpp"
#include "boost/beast/websocket/ssl.hpp"

namespace wxbridge::testing {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// The record, shared between the server thread (writer) and the test thread (waiter).
class Recorder {
 public:
  void Update(const std::function<void(ServerRecord&)>& change) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      change(record_);
    }
    cv_.notify_all();
  }

  bool WaitFor(const std::function<bool(const ServerRecord&)>& done,
               std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done(record_); });
  }

  ServerRecord Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return record_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  ServerRecord record_;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual void Run() = 0;
  virtual void Send(std::string frame, bool binary) = 0;
  virtual void Drop() = 0;
  virtual void Stall() = 0;
};

template <bool kTls>
class SessionImpl final : public Session, public std::enable_shared_from_this<SessionImpl<kTls>> {
 public:
  using Transport =
      std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  template <typename... StreamArgs>
  SessionImpl(Recorder* recorder, bool stalled, StreamArgs&&... stream_args)
      : recorder_(recorder), stalled_(stalled), ws_(std::forward<StreamArgs>(stream_args)...) {}

  void Run() override {
    if constexpr (kTls) {
      ws_.next_layer().async_handshake(ssl::stream_base::server,
                                       [self = Self()](beast::error_code ec) {
                                         if (ec) return self->End();
                                         self->ReadRequest();
                                       });
    } else {
      ReadRequest();
    }
  }

  void Send(std::string frame, bool binary) override {
    outbox_.emplace_back(std::move(frame), binary);
    if (outbox_.size() == 1) WriteFront();
  }

  void Drop() override {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(boost::asio::socket_base::linger(true, 0),
                                                     ignored);
    beast::get_lowest_layer(ws_).close();
  }

  void Stall() override {
    stalled_ = true;
    // Abandons the read in progress; the socket stays open and nothing reads it.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().cancel(ignored);
  }

 private:
  std::shared_ptr<SessionImpl> Self() { return this->shared_from_this(); }

  void ReadRequest() {
    http::async_read(ws_.next_layer(), buffer_, request_,
                     [self = Self()](beast::error_code ec, std::size_t) {
                       if (ec) return self->End();
                       self->Accept();
                     });
  }

  void Accept() {
    ws_.async_accept(request_, [self = Self()](beast::error_code ec) {
      if (ec) return self->End();
      self->recorder_->Update([&](ServerRecord& record) {
        ++record.handshakes;
        record.last_host = std::string(self->request_[http::field::host]);
        record.last_target = std::string(self->request_.target());
      });
      if (!self->stalled_) self->ReadNext();
    });
  }

  void ReadNext() {
    ws_.async_read(buffer_,
                   [self = Self()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == boost::asio::error::operation_aborted && stalled_) return;
    if (ec == websocket::error::closed) {
      const int code = ws_.reason().code;
      recorder_->Update([&](ServerRecord& record) { record.close_codes.push_back(code); });
    }
    if (ec) return End();
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    recorder_->Update([&](ServerRecord& record) { record.frames.push_back(std::move(frame)); });
    if (!stalled_) ReadNext();
  }

  void WriteFront() {
    ws_.binary(outbox_.front().second);
    ws_.async_write(boost::asio::buffer(outbox_.front().first),
                    [self = Self()](beast::error_code ec, std::size_t) {
                      self->outbox_.pop_front();
                      if (!ec && !self->outbox_.empty()) self->WriteFront();
                    });
  }

  void End() {
    if (ended_) return;
    ended_ = true;
    recorder_->Update([](ServerRecord& record) { ++record.sessions_ended; });
  }

  Recorder* recorder_;
  bool stalled_;
  bool ended_ = false;
  websocket::stream<Transport> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::deque<std::pair<std::string, bool>> outbox_;
};

}  // namespace

std::optional<TlsFiles> MakeSelfSignedCert(const std::string& parent) {
  std::string dir = parent + "/wxbridge-tls-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) return std::nullopt;
  TlsFiles files{dir + "/cert.pem", dir + "/key.pem"};
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ",
      files.key_path, " -out ", files.cert_path, " >/dev/null 2>&1");
  if (std::system(command.c_str()) != 0) return std::nullopt;
  return files;
}

class WsTestServer::Impl {
 public:
  explicit Impl(std::optional<TlsFiles> tls)
      : work_(boost::asio::make_work_guard(io_)), acceptor_(io_) {
    if (tls) {
      tls_.emplace(ssl::context::tls_server);
      tls_->use_certificate_chain_file(tls->cert_path);
      tls_->use_private_key_file(tls->key_path, ssl::context::pem);
    }
    Listen();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    Post([this] {
      StopListening();
      if (current_) current_->Drop();
      current_.reset();
      io_.stop();  // sessions still waiting on a socket die with io_
    });
    thread_.join();
  }

  std::string url(const std::string& target) const {
    return absl::StrCat(tls_ ? "wss" : "ws", "://127.0.0.1:", port_, target);
  }

  void Post(std::function<void()> action) { boost::asio::post(io_, std::move(action)); }

  void Listen() {
    const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port_);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    Accept();
  }

  void StopListening() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

  std::shared_ptr<Session>& current() { return current_; }
  void set_stalled() { stalled_ = true; }
  Recorder& recorder() { return recorder_; }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by StopListening
      if (tls_) {
        current_ =
            std::make_shared<SessionImpl<true>>(&recorder_, stalled_, std::move(socket), *tls_);
      } else {
        current_ = std::make_shared<SessionImpl<false>>(&recorder_, stalled_, std::move(socket));
      }
      current_->Run();
      Accept();
    });
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::optional<ssl::context> tls_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;  // 0 until the first Listen picks one
  bool stalled_ = false;
  std::shared_ptr<Session> current_;
  Recorder recorder_;
  std::thread thread_;
};

WsTestServer::WsTestServer(std::optional<TlsFiles> tls)
    : impl_(std::make_unique<Impl>(std::move(tls))) {}

WsTestServer::~WsTestServer() = default;

std::string WsTestServer::url(const std::string& target) const { return impl_->url(target); }

void WsTestServer::Send(std::string frame, bool binary) {
  impl_->Post([this, frame = std::move(frame), binary]() mutable {
    if (impl_->current()) impl_->current()->Send(std::move(frame), binary);
  });
}

void WsTestServer::DropConnection() {
  impl_->Post([this] {
    if (impl_->current()) impl_->current()->Drop();
  });
}

void WsTestServer::Stall() {
  impl_->Post([this] {
    impl_->set_stalled();
    if (impl_->current()) impl_->current()->Stall();
  });
}

void WsTestServer::StopListening() {
  impl_->Post([this] { impl_->StopListening(); });
}

void WsTestServer::StartListening() {
  impl_->Post([this] { impl_->Listen(); });
}

bool WsTestServer::WaitFor(const std::function<bool(const ServerRecord&)>& done,
                           std::chrono::milliseconds timeout) const {
  return impl_->recorder().WaitFor(done, timeout);
}

ServerRecord WsTestServer::record() const { return impl_->recorder().Get(); }

}  // namespace wxbridge::testing
