// The HTTP port's pure pieces: the events query string as a SubscribeRequest, and how a
// status reads over HTTP.
#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "server/http/event_query.h"
#include "server/http/http_errors.h"

namespace wxbridge::http {
namespace {

TEST(EventQueryTest, EmptyQueryAsksForEverythingFromTheHead) {
  absl::StatusOr<v1::SubscribeRequest> request = ParseEventQuery("", "");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->accounts_size(), 0);
  EXPECT_EQ(request->kinds_size(), 0);
  EXPECT_FALSE(request->has_after_seq());
  EXPECT_FALSE(request->has_heartbeat_interval());
}

TEST(EventQueryTest, ListsMayBeCommaSeparatedOrRepeatedAndKindsAnyCase) {
  absl::StatusOr<v1::SubscribeRequest> request = ParseEventQuery(
      "accounts=alice,bob&accounts=carol%40x&kinds=text,EVENT_KIND_LOGIN_STATUS&kinds=Contact", "");
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_EQ(request->accounts_size(), 3);
  EXPECT_EQ(request->accounts(2), "carol@x");
  ASSERT_EQ(request->kinds_size(), 3);
  EXPECT_EQ(request->kinds(0), v1::EVENT_KIND_TEXT);
  EXPECT_EQ(request->kinds(1), v1::EVENT_KIND_LOGIN_STATUS);
  EXPECT_EQ(request->kinds(2), v1::EVENT_KIND_CONTACT);
}

TEST(EventQueryTest, ResumePointHeartbeatAndLogId) {
  absl::StatusOr<v1::SubscribeRequest> request =
      ParseEventQuery("after_seq=18446744073709551615&heartbeat_ms=250&log_id=abc", "");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->after_seq(), 18446744073709551615u);
  EXPECT_EQ(request->heartbeat_interval().nanos(), 250000000);
  EXPECT_EQ(request->log_id(), "abc");
}

TEST(EventQueryTest, LastEventIdOverridesAfterSeq) {
  absl::StatusOr<v1::SubscribeRequest> request = ParseEventQuery("after_seq=5", "42");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->after_seq(), 42u);
}

TEST(EventQueryTest, BadParametersAreRefusedNamingThem) {
  for (const auto& [query, last_id, named] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"kinds=nonsense", "", "nonsense"},
           {"after_seq=-1", "", "after_seq"},
           {"after_seq=12x", "", "after_seq"},
           {"after_seq=99999999999999999999", "", "after_seq"},
           {"heartbeat_ms=abc", "", "heartbeat_ms"},
           {"heartbeat_ms=999999999999", "", "heartbeat_ms"},
           {"acounts=alice", "", "acounts"},
           {"accounts=%zz", "", "escape"},
           {"accounts=%4", "", "escape"},
           {"", "not-a-number", "Last-Event-ID"},
       }) {
    absl::StatusOr<v1::SubscribeRequest> request = ParseEventQuery(query, last_id);
    ASSERT_FALSE(request.ok()) << query;
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << query;
    EXPECT_NE(request.status().message().find(named), absl::string_view::npos)
        << query << ": " << request.status();
  }
}

TEST(HttpErrorsTest, EveryCodeHasItsStatus) {
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnimplemented), 501);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDataLoss), 500);
}

TEST(HttpErrorsTest, ErrorBodyIsValidJsonWhateverTheMessage) {
  const std::string body =
      ErrorJson(absl::InvalidArgumentError("bad \"quote\"\n\x01 and \xff\xfe invalid UTF-8"));
  const nlohmann::json parsed = nlohmann::json::parse(body);  // throws on invalid JSON/UTF-8
  EXPECT_EQ(parsed["code"], "INVALID_ARGUMENT");
  EXPECT_NE(parsed["message"].get<std::string>().find("bad \"quote\"\n"), std::string::npos);
}

}  // namespace
}  // namespace wxbridge::http
