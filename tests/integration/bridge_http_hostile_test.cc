// The HTTP port against hostile clients and browsers: cross-site requests, DNS rebinding,
// a client that sends slowly, too many connections, oversized headers. Each is refused
// or cut off, and the port goes on answering others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/bridge_harness.h"
#include "tests/support/http_test_client.h"

namespace wxbridge::testing {
namespace {

using ::testing::HasSubstr;

HarnessOptions WithHttp(std::function<void(app::BridgeConfig&)> adjust = nullptr) {
  HarnessOptions options;
  options.configure_bridge = [adjust](app::BridgeConfig& config) {
    config.http.listen = "127.0.0.1:0";
    if (adjust) adjust(config);
  };
  return options;
}

// A raw TCP connection to the HTTP port: what a hostile client controls byte by byte.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { close(fd_); }

  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Reads until the server closes the connection or `timeout` passes; true when it
  // closed (everything it sent is in `received`).
  bool WaitForClose(std::chrono::milliseconds timeout, std::string* received = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (poll(&poll_fd, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return true;  // closed (or reset)
      if (received != nullptr) received->append(buffer, static_cast<std::size_t>(n));
    }
    return false;
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string ErrorCode(const HttpResponse& response) {
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  return body.is_object() ? body.value("code", "") : "";
}

class BridgeHttpHostileTest : public ::testing::Test {
 protected:
  explicit BridgeHttpHostileTest(HarnessOptions options = WithHttp())
      : harness_(std::move(options)), http_("127.0.0.1", harness_.bridge().http_port()) {
    EXPECT_TRUE(harness_.WaitConnected());
  }

  HttpResponse GetStatus(const HttpHeaders& extra = {}) {
    HttpHeaders headers = {{"Content-Type", "application/json"}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    absl::StatusOr<HttpResponse> response = http_.Request("POST", "/v1/GetStatus", "{}", headers);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : HttpResponse();
  }
  int port() { return harness_.bridge().http_port(); }

  BridgeHarness harness_;
  HttpTestClient http_;
};

TEST_F(BridgeHttpHostileTest, ACrossSiteOriginIsRefusedAndTheSameOriginServed) {
  const HttpResponse cross = GetStatus({{"Origin", "http://evil.example"}});
  EXPECT_EQ(cross.status, 403) << cross.body;
  EXPECT_EQ(ErrorCode(cross), "PERMISSION_DENIED");
  EXPECT_THAT(cross.body, HasSubstr("Origin"));
  EXPECT_EQ(cross.Header("Access-Control-Allow-Origin"), "");

  const HttpResponse same = GetStatus({{"Origin", absl::StrCat("http://127.0.0.1:", port())}});
  EXPECT_EQ(same.status, 200) << same.body;
}

TEST_F(BridgeHttpHostileTest, WithoutTokensAHostNameIsRefusedAgainstDnsRebinding) {
  const HttpResponse rebound = GetStatus({{"Host", absl::StrCat("evil.example:", port())}});
  EXPECT_EQ(rebound.status, 403) << rebound.body;
  EXPECT_EQ(ErrorCode(rebound), "PERMISSION_DENIED");
  // The console page too: a rebound page must not even load.
  absl::StatusOr<HttpResponse> page =
      http_.Request("GET", "/", "", {{"Host", absl::StrCat("evil.example:", port())}});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->status, 403);

  EXPECT_EQ(GetStatus({{"Host", absl::StrCat("localhost:", port())}}).status, 200);
  EXPECT_EQ(GetStatus({{"Host", absl::StrCat("[::1]:", port())}}).status, 200);
}

TEST_F(BridgeHttpHostileTest, TheConsoleIsServedWithAPolicyThatKeepsItOnThisServer) {
  absl::StatusOr<HttpResponse> page = http_.Request("GET", "/");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->Header("Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_THAT(page->Header("Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(page->Header("X-Content-Type-Options"), "nosniff");
  absl::StatusOr<HttpResponse> post = http_.Request("POST", "/", "x");
  ASSERT_TRUE(post.ok()) << post.status();
  EXPECT_EQ(post->status, 405);
}

TEST_F(BridgeHttpHostileTest, OversizedHeadersAre431AndTheConnectionClosed) {
  RawConnection connection(port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.Send(absl::StrCat(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ", std::string(64 * 1024, 'a'), "\r\n\r\n")));
  std::string answer;
  EXPECT_TRUE(connection.WaitForClose(kWait, &answer));
  EXPECT_THAT(answer, HasSubstr("431"));
  EXPECT_EQ(GetStatus().status, 200);
}

class BridgeHttpSlowClientTest : public BridgeHttpHostileTest {
 protected:
  BridgeHttpSlowClientTest()
      : BridgeHttpHostileTest(WithHttp([](app::BridgeConfig& config) {
          config.http.request_timeout = std::chrono::milliseconds(300);
        })) {}
};

TEST_F(BridgeHttpSlowClientTest, AClientThatSendsSlowlyIsCutOffAndOthersAreServed) {
  RawConnection slow(port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.Send("POST /v1/GetStatus HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"));
  EXPECT_EQ(GetStatus().status, 200);  // meanwhile
  // Without the request timeout it would hold the connection for as long as it likes.
  EXPECT_TRUE(slow.WaitForClose(kWait));
}

// The default request timeout (30 s) is longer than any wait here: a connection closed
// within the wait was closed for the limit.
class BridgeHttpConnectionLimitTest : public BridgeHttpHostileTest {
 protected:
  BridgeHttpConnectionLimitTest()
      : BridgeHttpHostileTest(
            WithHttp([](app::BridgeConfig& config) { config.http.max_connections = 3; })) {}
};

TEST_F(BridgeHttpConnectionLimitTest, ConnectionsOverTheLimitAreClosedAtOnceAndPlacesFreedReused) {
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  RawConnection over(port());
  ASSERT_TRUE(over.connected());  // the kernel accepts; the bridge closes it
  EXPECT_TRUE(over.WaitForClose(kWait)) << "a fourth connection stayed open over the limit of 3";
  idle.clear();  // their places free once the bridge sees them go
  bool served = false;
  for (const auto deadline = std::chrono::steady_clock::now() + kWait;
       !served && std::chrono::steady_clock::now() < deadline;) {
    absl::StatusOr<HttpResponse> response =
        http_.Request("POST", "/v1/GetStatus", "{}", {{"Content-Type", "application/json"}});
    served = response.ok() && response->status == 200;
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace wxbridge::testing
