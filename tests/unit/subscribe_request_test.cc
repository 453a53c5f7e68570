// ParseSubscribeRequest's bounds: a filter with more accounts or kinds than the options
// allow is refused INVALID_ARGUMENT naming the field and the limit, before anything is
// copied; one within them is accepted.
#include "server/rpc/subscribe_request.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wxbridge::rpc {
namespace {

using ::testing::HasSubstr;

TEST(SubscribeRequestTest, TooManyAccountsAreRefusedNamingTheLimit) {
  const SubscribeOptions options;
  wxbridge::v1::SubscribeRequest request;
  for (std::size_t i = 0; i <= options.max_accounts; ++i) {
    request.add_accounts(absl::StrCat("account_", i));
  }
  SubscribeParams params;
  const grpc::Status status =
      ParseSubscribeRequest(request, options, *wxbridge::auth::OpenGrant(), &params);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("accounts has ", options.max_accounts + 1, " entries, over the limit of ",
                         options.max_accounts, " (--max_subscribe_accounts)"));

  request.mutable_accounts()->RemoveLast();
  SubscribeParams within;
  EXPECT_TRUE(ParseSubscribeRequest(request, options, *wxbridge::auth::OpenGrant(), &within).ok());
}

TEST(SubscribeRequestTest, TooManyKindsAreRefusedNamingTheLimit) {
  SubscribeOptions options;
  options.max_kinds = 3;
  wxbridge::v1::SubscribeRequest request;
  for (int i = 0; i < 4; ++i) request.add_kinds(wxbridge::v1::EVENT_KIND_TEXT);
  SubscribeParams params;
  const grpc::Status status =
      ParseSubscribeRequest(request, options, *wxbridge::auth::OpenGrant(), &params);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("kinds has 4 entries"));
  EXPECT_THAT(status.error_message(), HasSubstr("limit of 3 (--max_subscribe_kinds)"));

  request.mutable_kinds()->RemoveLast();
  SubscribeParams within;
  EXPECT_TRUE(ParseSubscribeRequest(request, options, *wxbridge::auth::OpenGrant(), &within).ok());
}

TEST(SubscribeRequestTest, AMillionAccountsAreRefused) {
  const SubscribeOptions options;
  wxbridge::v1::SubscribeRequest request;
  for (int i = 0; i < 1000000; ++i) request.add_accounts("a");
  SubscribeParams params;
  EXPECT_EQ(
      ParseSubscribeRequest(request, options, *wxbridge::auth::OpenGrant(), &params).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace wxbridge::rpc
