// IsLoopbackHost gates warnings and refusals, so a false "yes" is the dangerous mistake:
// names that merely look like loopback must not pass.
#include "server/common/loopback.h"

#include "gtest/gtest.h"

namespace wxbridge {
namespace {

TEST(LoopbackTest, AcceptsLocalhostAndLoopbackLiterals) {
  for (const char* host : {"localhost", "LocalHost", "127.0.0.1", "127.255.255.254", "127.1.2.3",
                           "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
}

TEST(LoopbackTest, RejectsOtherHostsAndLookalikes) {
  for (const char* host : {"",
                           "0.0.0.0",
                           "::",
                           "[::]",
                           "10.0.0.1",
                           "128.0.0.1",
                           "126.255.255.255",
                           "192.168.1.1",
                           "example.com",
                           "localhost.example.com",
                           "127.0.0.1.example.com",
                           "my-localhost",
                           "127.1",
                           "0x7f.0.0.1",
                           "127.0.0.1:80",
                           "[::1]:80",
                           "::2",
                           "[::1",
                           "::1]",
                           "::ffff:10.0.0.1",
                           "localhost "}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << "'" << host << "'";
  }
}

}  // namespace
}  // namespace wxbridge
