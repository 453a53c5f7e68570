#include "tests/support/http_test_client.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http.hpp"

namespace wxbridge::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

http::request<http::string_body> BuildRequest(const std::string& method, const std::string& host,
                                              const std::string& target, const std::string& body,
                                              const HttpHeaders& headers) {
  http::request<http::string_body> request;
  request.version(11);
  request.method_string(method);
  request.target(target);
  request.set(http::field::host, host);
  for (const auto& [name, value] : headers) request.set(name, value);  // may replace Host
  request.body() = body;
  if (!body.empty() || method == "POST") request.prepare_payload();
  return request;
}

template <class Fields>
std::map<std::string, std::string> LowerCaseHeaders(const Fields& fields) {
  std::map<std::string, std::string> headers;
  for (const auto& field : fields) {
    headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
  }
  return headers;
}

absl::Status Failed(const std::string& what, const beast::error_code& ec) {
  if (ec == beast::error::timeout) return absl::DeadlineExceededError(what + ": timed out");
  return absl::UnavailableError(absl::StrCat(what, ": ", ec.message()));
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? "" : it->second;
}

HttpTestClient::HttpTestClient(std::string host, uint16_t port)
    : host_(std::move(host)), port_(port) {}

absl::StatusOr<HttpResponse> HttpTestClient::Request(const std::string& method,
                                                     const std::string& target,
                                                     const std::string& body,
                                                     const HttpHeaders& headers,
                                                     std::chrono::milliseconds timeout) const {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  const tcp::endpoint endpoint(net::ip::make_address(host_, ec), port_);
  if (ec) return Failed("address " + host_, ec);
  stream.expires_after(timeout);
  std::optional<beast::error_code> connected;
  stream.async_connect(endpoint, [&](beast::error_code e) { connected = e; });
  ioc.run();
  if (*connected) return Failed("connect", *connected);

  // The write and the read run side by side: a server may answer (413, 415) before it
  // has read the whole body, and then stop reading it.
  ioc.restart();
  auto request = BuildRequest(method, absl::StrCat(host_, ":", port_), target, body, headers);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  std::optional<beast::error_code> written, read;
  http::async_write(stream, request, [&](beast::error_code e, std::size_t) { written = e; });
  http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
    read = e;
    if (!written.has_value()) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.socket().close(ignored);
    }
  });
  ioc.run();
  if (*read) {
    if (written.has_value() && *written) return Failed("write", *written);
    return Failed("read", *read);
  }
  HttpResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  response.headers = LowerCaseHeaders(parser.get().base());
  response.body = std::move(parser.get().body());
  return response;
}

// The reader's state, shared by its I/O thread and the test's thread. I/O runs only on
// the I/O thread (other threads post to it); records and status are under `mutex_`.
class SseReader::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl() : work_(net::make_work_guard(ioc_)), stream_(ioc_) {}

  void Run(const std::string& host, uint16_t port, const std::string& target,
           const Options& options) {
    beast::error_code ec;
    const tcp::endpoint endpoint(net::ip::make_address(host, ec), port);
    if (!ec) stream_.socket().open(endpoint.protocol(), ec);
    if (!ec && options.receive_buffer_bytes > 0) {
      stream_.socket().set_option(
          net::socket_base::receive_buffer_size(options.receive_buffer_bytes), ec);
    }
    if (ec) {
      End(absl::StrCat("socket: ", ec.message()));
    } else {
      request_ = BuildRequest("GET", absl::StrCat(host, ":", port), target, "", options.headers);
      request_.set(http::field::accept, "text/event-stream");
      parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
      stream_.expires_after(HttpTestClient::kDefaultTimeout);
      stream_.async_connect(
          endpoint, [self = shared_from_this()](beast::error_code e) { self->OnConnect(e); });
    }
    ioc_.run();
  }

  void OnConnect(beast::error_code ec) {
    if (ec) return End(absl::StrCat("connect: ", ec.message()));
    http::async_write(
        stream_, request_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->OnWrite(e); });
  }

  void OnWrite(beast::error_code ec) {
    if (ec) return End(absl::StrCat("write: ", ec.message()));
    stream_.expires_never();  // a stream may be quiet for long
    http::async_read_header(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->OnHeader(e); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return End(absl::StrCat("read header: ", ec.message()));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status_ = static_cast<int>(parser_.get().result_int());
      headers_ = LowerCaseHeaders(parser_.get().base());
      auto type = headers_.find("content-type");
      is_stream_ = *status_ == 200 && type != headers_.end() &&
                   type->second.rfind("text/event-stream", 0) == 0;
      changed_.notify_all();
    }
    ReadBody();
  }

  void ReadBody() {
    if (paused_ || closed_) return;
    if (parser_.is_done()) return End("");
    reading_ = true;
    parser_.get().body().data = chunk_;
    parser_.get().body().size = sizeof(chunk_);
    http::async_read_some(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->OnBody(e); });
  }

  void OnBody(beast::error_code ec) {
    reading_ = false;
    if (ec == http::error::need_buffer) ec = {};
    const std::size_t n = sizeof(chunk_) - parser_.get().body().size;
    Consume(std::string_view(chunk_, n));
    if (ec) return End(ec == http::error::end_of_stream ? "" : ec.message());
    ReadBody();
  }

  void Pause() {
    net::post(ioc_, [self = shared_from_this()] { self->paused_ = true; });
  }

  // Handlers posted after the I/O thread ended (a Close after the server closed) would
  // stay queued in ioc_, each holding the Impl that owns ioc_: run them, once the thread
  // is gone, so the Impl can go.
  void RunLeftovers() {
    ioc_.restart();
    ioc_.poll();
  }

  void Resume() {
    net::post(ioc_, [self = shared_from_this()] {
      self->paused_ = false;
      if (!self->reading_ && !self->ended()) self->ReadBody();
    });
  }

  void Close() {
    net::post(ioc_, [self = shared_from_this()] {
      self->closed_ = true;
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.socket().close(ignored);
      self->work_.reset();
      std::lock_guard<std::mutex> lock(self->mutex_);
      if (!self->ended_) self->ended_ = true;
      self->changed_.notify_all();
    });
  }

  // --- Read by the test's thread ---
  std::optional<int> WaitForStatus(milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return status_.has_value() || ended_; });
    if (!status_ && ended_) return 0;
    return status_;
  }

  std::vector<SseRecord> WaitForCount(const Predicate& predicate, std::size_t n,
                                      milliseconds timeout) {
    std::vector<SseRecord> matches;
    std::size_t scanned = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    const auto scan = [&] {
      for (; scanned < records_.size(); ++scanned) {
        if (predicate(records_[scanned])) matches.push_back(records_[scanned]);
      }
    };
    changed_.wait_for(lock, timeout, [&] {
      scan();
      return matches.size() >= n || ended_;
    });
    scan();  // it may have ended after delivering what was wanted
    if (matches.size() < n) return {};
    return matches;
  }

  bool WaitForEnd(milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return ended_; });
  }

  std::vector<SseRecord> Records() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }
  std::map<std::string, std::string> headers() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return headers_;
  }
  std::string error_body() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_body_;
  }
  bool ended() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return ended_;
  }
  std::string end_reason() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return end_reason_;
  }
  std::size_t bytes_read() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_read_;
  }

 private:
  void End(const std::string& reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended_) return;
    ended_ = true;
    end_reason_ = closed_ ? "" : reason;
    changed_.notify_all();
  }

  // Splits the body into lines and lines into records (the EventSource rules: a blank
  // line dispatches, ':' starts a comment, "field: value" with one optional space).
  void Consume(std::string_view bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    bytes_read_ += bytes.size();
    if (!is_stream_) {
      error_body_.append(bytes);
      return;
    }
    pending_.append(bytes);
    std::size_t start = 0;
    for (std::size_t end; (end = pending_.find('\n', start)) != std::string::npos;
         start = end + 1) {
      std::string_view line(pending_.data() + start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ParseLine(line);
    }
    pending_.erase(0, start);
    changed_.notify_all();
  }

  void ParseLine(std::string_view line) {
    if (line.empty()) {
      if (has_fields_) records_.push_back(std::move(current_));
      current_ = SseRecord();
      has_fields_ = false;
      data_lines_ = 0;
      return;
    }
    if (line.front() == ':') {
      SseRecord comment;
      comment.comment = true;
      comment.text = std::string(line.substr(1));
      records_.push_back(std::move(comment));
      return;
    }
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    has_fields_ = true;
    if (name == "event") {
      current_.event = std::string(value);
    } else if (name == "id") {
      current_.id = std::string(value);
    } else if (name == "data") {
      if (data_lines_++ > 0) current_.data += '\n';
      current_.data.append(value);
    }
  }

  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  beast::tcp_stream stream_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::buffer_body> parser_;
  char chunk_[16384];
  // I/O thread only.
  bool paused_ = false;
  bool reading_ = false;
  bool closed_ = false;
  std::string pending_;
  SseRecord current_;
  bool has_fields_ = false;
  int data_lines_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<int> status_;
  std::map<std::string, std::string> headers_;
  bool is_stream_ = false;
  std::vector<SseRecord> records_;
  std::string error_body_;
  std::size_t bytes_read_ = 0;
  bool ended_ = false;
  std::string end_reason_;
};

SseReader::SseReader(const std::string& host, uint16_t port, const std::string& target,
                     Options options)
    : impl_(std::make_shared<Impl>()) {
  thread_ = std::thread(
      [impl = impl_, host, port, target, options] { impl->Run(host, port, target, options); });
}

SseReader::~SseReader() {
  Close();
  if (thread_.joinable()) thread_.join();
  impl_->RunLeftovers();
}

std::optional<int> SseReader::WaitForStatus(milliseconds timeout) {
  return impl_->WaitForStatus(timeout);
}
std::map<std::string, std::string> SseReader::headers() const { return impl_->headers(); }
std::string SseReader::error_body() const { return impl_->error_body(); }

std::optional<SseRecord> SseReader::WaitFor(const Predicate& predicate, milliseconds timeout) {
  auto matches = impl_->WaitForCount(predicate, 1, timeout);
  if (matches.empty()) return std::nullopt;
  return matches.front();
}
std::vector<SseRecord> SseReader::WaitForCount(const Predicate& predicate, std::size_t n,
                                               milliseconds timeout) {
  return impl_->WaitForCount(predicate, n, timeout);
}
std::vector<SseRecord> SseReader::Records() const { return impl_->Records(); }
bool SseReader::WaitForEnd(milliseconds timeout) { return impl_->WaitForEnd(timeout); }
bool SseReader::ended() const { return impl_->ended(); }
std::string SseReader::end_reason() const { return impl_->end_reason(); }
std::size_t SseReader::bytes_read() const { return impl_->bytes_read(); }
void SseReader::Pause() { impl_->Pause(); }
void SseReader::Resume() { impl_->Resume(); }
void SseReader::Close() { impl_->Close(); }

bool IsSseEvent(const SseRecord& r, const std::string& event) {
  return !r.comment && r.event == event;
}
bool IsSseComment(const SseRecord& r) { return r.comment; }

HttpHeaders BearerHeader(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace wxbridge::testing
