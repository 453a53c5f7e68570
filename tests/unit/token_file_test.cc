// The tokens file: what it accepts, each mistake refused with a message that names the
// entry, and the authenticator's answers for missing, malformed, unknown and known tokens.
#include "server/auth/token_file.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/token_authenticator.h"

namespace wxbridge::auth {
namespace {

using ::testing::HasSubstr;

const std::set<std::string> kMethods = {"SendText", "Subscribe", "GetStatus"};
// sha256("secret")
constexpr char kSecretHash[] = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

std::string Entry(const std::string& fields) { return R"({"tokens": [)" + fields + "]}"; }

TEST(TokenFileTest, AValidFileGivesEachTokenItsScopes) {
  auto entries =
      ParseTokensFile(Entry(std::string(R"({"name": "billing", "sha256": ")") + kSecretHash +
                            R"(", "accounts": ["alice"], "methods": ["SendText"]})"),
                      kMethods);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  const Grant& grant = *entries->front().grant;
  EXPECT_EQ(grant.name, "billing");
  EXPECT_TRUE(grant.CheckAccount("alice").ok());
  EXPECT_EQ(grant.CheckAccount("bob").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(grant.CheckMethod("SendText").ok());
  EXPECT_EQ(grant.CheckMethod("Subscribe").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(grant.CheckAllAccounts("SendRaw").code(), absl::StatusCode::kPermissionDenied);
}

TEST(TokenFileTest, EachMistakeIsRefusedNamingIt) {
  const std::string hash = kSecretHash;
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not valid JSON"},
      {R"({"tokens": {}})", "\"tokens\" array"},
      {Entry(R"({"sha256": ")" + hash + R"(", "accounts": ["*"], "methods": ["*"]})"), "\"name\""},
      {Entry(R"({"name": "a", "sha256": "abc", "accounts": ["*"], "methods": ["*"]})"),
       "64 hex digits"},
      {Entry(R"({"name": "a", "sha256": ")" + hash + R"(", "accounts": [], "methods": ["*"]})"),
       "\"accounts\" must be a non-empty array"},
      {Entry(R"({"name": "a", "sha256": ")" + hash +
             R"(", "accounts": ["*"], "methods": ["SendTxt"]})"),
       "\"SendTxt\" is not a BridgeService method"},
      {Entry(R"({"name": "a", "sha256": ")" + hash +
             R"(", "accounts": ["*"], "methods": ["*"], "acounts": ["x"]})"),
       "unknown key \"acounts\""},
      {Entry(R"({"name": "a", "sha256": ")" + hash +
             R"(", "accounts": ["*"], "methods": ["*"]}, {"name": "a", "sha256": ")" +
             std::string(64, '0') + R"(", "accounts": ["*"], "methods": ["*"]})"),
       "used twice"},
      {Entry(R"({"name": "a", "sha256": ")" + hash +
             R"(", "accounts": ["*"], "methods": ["*"]}, {"name": "b", "sha256": ")" + hash +
             R"(", "accounts": ["*"], "methods": ["*"]})"),
       "hash is listed twice"},
  };
  for (const auto& [text, expected] : cases) {
    auto entries = ParseTokensFile(text, kMethods);
    EXPECT_FALSE(entries.ok()) << text;
    EXPECT_THAT(std::string(entries.status().message()), HasSubstr(expected)) << text;
  }
}

TEST(TokenAuthenticatorTest, WithoutATokensFileEveryCallerMayDoAll) {
  TokenAuthenticator open("", kMethods);
  auto grant = open.Authenticate("");
  ASSERT_TRUE(grant.ok());
  EXPECT_TRUE((*grant)->accounts.all());
  EXPECT_TRUE((*grant)->methods.all());
}

TEST(TokenAuthenticatorTest, OnlyAKnownBearerTokenIsAccepted) {
  const std::string path = ::testing::TempDir() + "/tokens.json";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(Entry(std::string(R"({"name": "ops", "sha256": ")") + kSecretHash +
                     R"(", "accounts": ["*"], "methods": ["*"]})")
                   .c_str(),
               f);
    std::fclose(f);
  }
  TokenAuthenticator authenticator(path, kMethods);
  ASSERT_TRUE(authenticator.Load().ok());
  EXPECT_EQ(authenticator.Authenticate("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(authenticator.Authenticate("secret").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(authenticator.Authenticate("Bearer wrong").status().code(),
            absl::StatusCode::kUnauthenticated);
  auto grant = authenticator.Authenticate("Bearer secret");
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ((*grant)->name, "ops");
  EXPECT_TRUE(authenticator.Authenticate("BEARER  secret ").ok());
  EXPECT_THAT(std::string(authenticator.Authenticate("Bearer wrong").status().message()),
              ::testing::Not(HasSubstr("wrong")));
}

}  // namespace
}  // namespace wxbridge::auth
