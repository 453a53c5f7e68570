// A small blocking HTTP/1.1 client for tests over real loopback sockets (plain TCP):
// one request per connection, every call bounded by its timeout; and a Server-Sent
// Events reader that parses a stream into records on a thread of its own so tests can
// wait for conditions with deadlines. Not for production use.
#ifndef WXBRIDGE_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
#define WXBRIDGE_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace wxbridge::testing {

// Request headers, in the order they are sent.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  // Field names in lower case; a repeated field keeps its last value.
  std::map<std::string, std::string> headers;
  std::string body;

  // The value of `name` (any case), or "" when absent.
  std::string Header(const std::string& name) const;
};

class HttpTestClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10000};

  HttpTestClient(std::string host, uint16_t port);

  // Sends one request on a new connection and reads the whole answer. A body is sent with
  // Content-Length (none for an empty body unless the method is POST). An error when the
  // connection fails or the timeout passes; an HTTP error status is a response.
  absl::StatusOr<HttpResponse> Request(const std::string& method, const std::string& target,
                                       const std::string& body = "",
                                       const HttpHeaders& headers = {},
                                       std::chrono::milliseconds timeout = kDefaultTimeout) const;

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }

 private:
  std::string host_;
  uint16_t port_;
};

// One dispatched Server-Sent Events record, or one comment line.
struct SseRecord {
  bool comment = false;  // a line starting with ':' (text is after the colon)
  std::string event;     // the event: field; "" when the record had none
  std::string id;        // the id: field; "" when none
  std::string data;      // data: lines joined with '\n'
  std::string text;      // a comment's text
};

// GET `target` and read it as an event stream until closed. The status and headers are
// available once they arrived; a response that is not 200 text/event-stream is read
// whole into error_body() instead.
class SseReader {
 public:
  struct Options {
    HttpHeaders headers;
    // SO_RCVBUF for the connection (0: the system's), so a paused reader's kernel
    // buffer fills quickly.
    int receive_buffer_bytes = 0;
  };

  SseReader(const std::string& host, uint16_t port, const std::string& target, Options options);
  SseReader(const std::string& host, uint16_t port, const std::string& target)
      : SseReader(host, port, target, Options{}) {}
  ~SseReader();  // Close()s and joins.
  SseReader(const SseReader&) = delete;
  SseReader& operator=(const SseReader&) = delete;

  using Predicate = std::function<bool(const SseRecord&)>;
  using milliseconds = std::chrono::milliseconds;

  // The response status once the head arrived (or the connection failed: 0).
  std::optional<int> WaitForStatus(milliseconds timeout);
  // The response's headers (lower-case names); empty before the head.
  std::map<std::string, std::string> headers() const;
  // The body of a non-stream answer, once the stream ended.
  std::string error_body() const;

  // The first record so far (or arriving before the timeout) that matches.
  std::optional<SseRecord> WaitFor(const Predicate& predicate, milliseconds timeout);
  // Waits until at least n records matched; returns them (empty when fewer did).
  std::vector<SseRecord> WaitForCount(const Predicate& predicate, std::size_t n,
                                      milliseconds timeout);
  std::vector<SseRecord> Records() const;
  // Waits for the connection to end; false on timeout.
  bool WaitForEnd(milliseconds timeout);
  bool ended() const;
  // Why it ended ("" while open or at a clean end of the body).
  std::string end_reason() const;
  // Body bytes read so far.
  std::size_t bytes_read() const;

  // Stops reading, leaving the connection open: the server's writes back up, as with a
  // client that stopped reading. Resume() reads again.
  void Pause();
  void Resume();
  // Closes the connection (idempotent).
  void Close();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
  std::thread thread_;
};

// Record predicates.
bool IsSseEvent(const SseRecord& r, const std::string& event);  // event: `event`
bool IsSseComment(const SseRecord& r);

// "Bearer <token>" as an Authorization header, or no header for an empty token.
HttpHeaders BearerHeader(const std::string& token);

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
