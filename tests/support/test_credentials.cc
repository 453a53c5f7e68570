#include "tests/support/test_credentials.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tests/support/child_process.h"

namespace wxbridge::testing {

TestCertificates::TestCertificates() {
  std::string pattern = (std::filesystem::temp_directory_path() / "wxbridge-certs-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return;
  dir_ = pattern;
  const ProcessResult made =
      RunProcess({WXBRIDGE_MAKE_TEST_CERTS, dir_}, std::chrono::milliseconds(60000));
  ok_ = made.exit_code == 0;
  if (!ok_) std::fprintf(stderr, "make_test_certs.sh failed: %s\n", made.err.c_str());
}

TestCertificates::~TestCertificates() {
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::string TestCertificates::Path(const std::string& name) const { return dir_ + "/" + name; }

std::string TestCertificates::Read(const std::string& name) const {
  std::ifstream in(Path(name), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TestToken MakeToken(std::string name, std::vector<std::string> accounts,
                    std::vector<std::string> methods) {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  return TestToken{
      std::move(name),
      absl::BytesToHexString(std::string(reinterpret_cast<char*>(bytes), sizeof bytes)),
      std::move(accounts), std::move(methods)};
}

std::string TokensFileJson(const std::vector<TestToken>& tokens) {
  nlohmann::json entries = nlohmann::json::array();
  for (const TestToken& token : tokens) {
    unsigned char digest[32];
    unsigned int size = 0;
    EVP_Digest(token.secret.data(), token.secret.size(), digest, &size, EVP_sha256(), nullptr);
    entries.push_back(
        {{"name", token.name},
         {"sha256", absl::BytesToHexString(std::string(reinterpret_cast<char*>(digest), size))},
         {"accounts", token.accounts},
         {"methods", token.methods}});
  }
  return nlohmann::json{{"tokens", entries}}.dump(2);
}

bool WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string staging = path + ".new";
  {
    std::ofstream out(staging, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return false;
  }
  return std::rename(staging.c_str(), path.c_str()) == 0;
}

}  // namespace wxbridge::testing
