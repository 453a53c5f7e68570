// The authKey's sources, with real files and the real environment: a key file others can
// read is refused, one trailing newline is not part of the key, and the environment
// variable does not outlive its reading.
#include "server/app/auth_key_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wxbridge::app {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "s3cret-Key";

class AuthKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("auth_key_source_test." + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content, mode_t mode) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(AuthKeyFileTest, AnOwnerOnlyFileIsReadWithOneTrailingNewlineStripped) {
  for (const char* ending : {"", "\n", "\r\n"}) {
    absl::StatusOr<std::string> key =
        ReadAuthKeyFile(Write("key", kSecret + std::string(ending), 0600));
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(*key, kSecret);
  }
  absl::StatusOr<std::string> read_only = ReadAuthKeyFile(Write("ro", kSecret, 0400));
  ASSERT_TRUE(read_only.ok()) << read_only.status();
  EXPECT_EQ(*read_only, kSecret);
}

TEST_F(AuthKeyFileTest, AFileGroupOrOthersMayAccessIsRefusedWithItsModeAndTheFix) {
  for (mode_t mode : {0644, 0640, 0604, 0660, 0610, 0601}) {
    const std::string path = Write("key", kSecret, mode);
    absl::StatusOr<std::string> key = ReadAuthKeyFile(path);
    ASSERT_FALSE(key.ok()) << std::oct << mode;
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    char octal[8];
    std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(mode));
    EXPECT_THAT(std::string(key.status().message()),
                AllOf(HasSubstr("--auth_key_file=" + path), HasSubstr(octal),
                      HasSubstr("chmod 600 " + path), Not(HasSubstr(kSecret))));
  }
}

TEST_F(AuthKeyFileTest, MissingEmptyAndMultiLineFilesAreRefusedWithoutQuotingThem) {
  const std::string missing = (dir_ / "missing").string();
  const struct {
    std::string path;
    const char* why;
  } cases[] = {
      {missing, "cannot open"},
      {Write("empty", "", 0600), "empty"},
      {Write("newline_only", "\n", 0600), "empty"},
      {Write("two_lines", std::string(kSecret) + "\nother\n", 0600), "more than one line"},
      {Write("two_newlines", std::string(kSecret) + "\n\n", 0600), "more than one line"},
      {dir_.string(), "not a regular file"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<std::string> key = ReadAuthKeyFile(c.path);
    ASSERT_FALSE(key.ok()) << c.path;
    EXPECT_THAT(
        std::string(key.status().message()),
        AllOf(HasSubstr("--auth_key_file=" + c.path), HasSubstr(c.why), Not(HasSubstr(kSecret))));
  }
}

TEST(AuthKeyEnvironmentTest, TheVariableIsGoneAfterItIsRead) {
  constexpr char kName[] = "WXBRIDGE_AUTH_KEY_SOURCE_TEST";
  ASSERT_EQ(setenv(kName, kSecret, 1), 0);
  std::optional<std::string> key = TakeSecretFromEnvironment(kName);
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, kSecret);
  EXPECT_EQ(std::getenv(kName), nullptr);
  for (char** entry = environ; *entry != nullptr; ++entry) {
    EXPECT_THAT(std::string(*entry), Not(HasSubstr(kSecret)));
  }
  EXPECT_FALSE(TakeSecretFromEnvironment(kName)) << "read twice";
}

TEST(AuthKeyEnvironmentTest, AnEmptyVariableCountsAsUnsetAndIsRemoved) {
  constexpr char kName[] = "WXBRIDGE_AUTH_KEY_SOURCE_TEST_EMPTY";
  ASSERT_EQ(setenv(kName, "", 1), 0);
  EXPECT_FALSE(TakeSecretFromEnvironment(kName));
  EXPECT_EQ(std::getenv(kName), nullptr);
}

TEST_F(AuthKeyFileTest, ExactlyOneSourceMayBeGiven) {
  const std::string file = Write("key", std::string("from-file\n"), 0600);
  EXPECT_EQ(*ResolveAuthKey("", "", std::nullopt), "");
  EXPECT_EQ(*ResolveAuthKey("from-flag", "", std::nullopt), "from-flag");
  EXPECT_EQ(*ResolveAuthKey("", file, std::nullopt), "from-file");
  EXPECT_EQ(*ResolveAuthKey("", "", std::string("from-env")), "from-env");

  absl::StatusOr<std::string> two = ResolveAuthKey("", file, std::string("from-env"));
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(std::string(two.status().message()),
              AllOf(HasSubstr("--auth_key_file"), HasSubstr(kAuthKeyVariable),
                    Not(HasSubstr("from-env")), Not(HasSubstr("from-file"))));
  absl::StatusOr<std::string> flag_and_file = ResolveAuthKey("from-flag", file, std::nullopt);
  ASSERT_FALSE(flag_and_file.ok());
  EXPECT_THAT(
      std::string(flag_and_file.status().message()),
      AllOf(HasSubstr("--auth_key,"), HasSubstr("--auth_key_file"), Not(HasSubstr("from-flag"))));
}

}  // namespace
}  // namespace wxbridge::app
