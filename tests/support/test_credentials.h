// TLS material and bearer tokens for tests: certificates from tests/tls/make_test_certs.sh
// in a fresh temporary directory, and tokens files with random tokens, written the way an
// operator would (only SHA-256 hashes in the file).
#ifndef WXBRIDGE_TESTS_SUPPORT_TEST_CREDENTIALS_H_
#define WXBRIDGE_TESTS_SUPPORT_TEST_CREDENTIALS_H_

#include <string>
#include <vector>

namespace wxbridge::testing {

// A temporary directory holding ca.pem, server.pem/key, server2.pem/key, client.pem/key,
// stranger.pem/key (see make_test_certs.sh). Removed by the destructor.
class TestCertificates {
 public:
  TestCertificates();  // makes them; ok() says whether that worked
  ~TestCertificates();
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  // dir/name, e.g. Path("ca.pem").
  std::string Path(const std::string& name) const;
  // The file's contents ("" when unreadable).
  std::string Read(const std::string& name) const;

 private:
  std::string dir_;
  bool ok_ = false;
};

// One entry of a tokens file, with its secret.
struct TestToken {
  std::string name;
  std::string secret;  // what a client sends
  std::vector<std::string> accounts;
  std::vector<std::string> methods;
};

// A token with a random 64-hex-digit secret.
TestToken MakeToken(std::string name, std::vector<std::string> accounts,
                    std::vector<std::string> methods);
// The tokens file text for `tokens` (names, hashes, scopes).
std::string TokensFileJson(const std::vector<TestToken>& tokens);
// Writes `text` to `path` (replacing it atomically, as a deploy would); false on error.
bool WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_SUPPORT_TEST_CREDENTIALS_H_
