#include "gtest/gtest.h"
#include "server/upstream/upstream_client.h"

namespace wxbridge::upstream {
namespace {

TEST(ParseUpstreamUrlTest, PlainUrlWithPortAndPath) {
  absl::StatusOr<UpstreamUrl> url = ParseUpstreamUrl("ws://api.batorange.com:11001/ws");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "api.batorange.com");
  EXPECT_EQ(url->port, "11001");
  EXPECT_EQ(url->target, "/ws");
}

TEST(ParseUpstreamUrlTest, DefaultsPortAndTargetBySchemeCaseInsensitively) {
  absl::StatusOr<UpstreamUrl> ws = ParseUpstreamUrl("WS://example.org");
  ASSERT_TRUE(ws.ok()) << ws.status();
  EXPECT_EQ(ws->port, "80");
  EXPECT_EQ(ws->target, "/");
  absl::StatusOr<UpstreamUrl> wss = ParseUpstreamUrl("wss://example.org");
  ASSERT_TRUE(wss.ok()) << wss.status();
  EXPECT_TRUE(wss->tls);
  EXPECT_EQ(wss->port, "443");
}

TEST(ParseUpstreamUrlTest, TargetKeepsTheQueryAndDropsTheFragment) {
  absl::StatusOr<UpstreamUrl> url = ParseUpstreamUrl("ws://h/ws/v1?key=a&b=c#frag");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->target, "/ws/v1?key=a&b=c");
  absl::StatusOr<UpstreamUrl> query_only = ParseUpstreamUrl("ws://h?key=a");
  ASSERT_TRUE(query_only.ok()) << query_only.status();
  EXPECT_EQ(query_only->host, "h");
  EXPECT_EQ(query_only->target, "/?key=a");
}

TEST(ParseUpstreamUrlTest, UserinfoIsNotPartOfTheHost) {
  absl::StatusOr<UpstreamUrl> url = ParseUpstreamUrl("wss://user:p@ss@gw.example:8443/ws");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "gw.example");
  EXPECT_EQ(url->port, "8443");
}

TEST(ParseUpstreamUrlTest, BracketedIpv6) {
  absl::StatusOr<UpstreamUrl> url = ParseUpstreamUrl("ws://[::1]:9000/ws");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "9000");
  absl::StatusOr<UpstreamUrl> no_port = ParseUpstreamUrl("wss://[fe80::1]/");
  ASSERT_TRUE(no_port.ok()) << no_port.status();
  EXPECT_EQ(no_port->host, "fe80::1");
  EXPECT_EQ(no_port->port, "443");
}

TEST(ParseUpstreamUrlTest, RejectsWhatIsNotAWebSocketUrl) {
  for (const char* bad :
       {"", "http://h/ws", "h:80/ws", "ws://", "ws:///ws", "ws://h:/ws", "ws://h:0/",
        "ws://h:65536/", "ws://h:+80/", "ws://h:8x/", "ws://[::1/", "ws://[::1]x/"}) {
    EXPECT_EQ(ParseUpstreamUrl(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseUpstreamUrlTest, ErrorsNeverRepeatSecrets) {
  absl::Status status = ParseUpstreamUrl("http://user:hunter2@h/ws?authKey=s3cret").status();
  EXPECT_EQ(status.message().find("hunter2"), absl::string_view::npos) << status;
  EXPECT_EQ(status.message().find("s3cret"), absl::string_view::npos) << status;
}

TEST(RedactUrlTest, StripsUserinfoQueryAndFragment) {
  EXPECT_EQ(RedactUrl("wss://user:pw@gw.example:8443/ws?authKey=secret#x"),
            "wss://gw.example:8443/ws");
  EXPECT_EQ(RedactUrl("ws://h/ws"), "ws://h/ws");
  EXPECT_EQ(RedactUrl("ws://h?authKey=secret"), "ws://h");
  EXPECT_EQ(RedactUrl("ws://a@b@h/p"), "ws://h/p");
  EXPECT_EQ(RedactUrl("ws://[::1]:9/p?q"), "ws://[::1]:9/p");
}

TEST(RedactUrlTest, AnythingThatIsNotAUrlStillLosesItsSecrets) {
  EXPECT_EQ(RedactUrl("user:pw@host/p?k=v"), "host/p");
  EXPECT_EQ(RedactUrl(""), "");
}

}  // namespace
}  // namespace wxbridge::upstream
