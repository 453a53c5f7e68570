#include "server/auth/token_authenticator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "server/common/log.h"

namespace wxbridge::auth {
namespace {

// The token of "Bearer <token>" (scheme case-insensitive, as RFC 6750 reads), or empty.
std::string_view BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && absl::ascii_isspace(static_cast<unsigned char>(token.front()))) {
    token.remove_prefix(1);
  }
  while (!token.empty() && absl::ascii_isspace(static_cast<unsigned char>(token.back()))) {
    token.remove_suffix(1);
  }
  return token;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

TokenAuthenticator::TokenAuthenticator(std::string tokens_file, std::set<std::string> known_methods)
    : tokens_file_(std::move(tokens_file)),
      known_methods_(std::move(known_methods)),
      open_grant_(OpenGrant()),
      entries_(std::make_shared<const Entries>()) {}

absl::Status TokenAuthenticator::Load() {
  if (!enabled()) return absl::OkStatus();
  absl::StatusOr<Entries> entries = LoadTokensFile(tokens_file_, known_methods_);
  if (!entries.ok()) return entries.status();
  auto loaded = std::make_shared<const Entries>(*std::move(entries));
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(loaded);
  return absl::OkStatus();
}

void TokenAuthenticator::Reload() {
  if (!enabled()) return;
  if (absl::Status status = Load(); !status.ok()) {
    Log(LogLevel::kError, "auth",
        "tokens file not reloaded, the previous tokens stay: ", status.message());
    return;
  }
  std::size_t count = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    count = entries_->size();
  }
  Log(LogLevel::kInfo, "auth", "tokens file reloaded: ", count, " token(s)");
}

absl::StatusOr<std::shared_ptr<const Grant>> TokenAuthenticator::Authenticate(
    std::string_view authorization) const {
  if (!enabled()) return open_grant_;
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "this bridge needs a token: send the metadata \"authorization: Bearer <token>\"");
  }
  const std::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return absl::UnauthenticatedError("the authorization metadata must read \"Bearer <token>\"");
  }
  const Sha256Digest presented = Sha256(token);
  std::shared_ptr<const Entries> entries;
  {
    std::lock_guard<std::mutex> lock(mu_);
    entries = entries_;
  }
  // Every entry is compared, each in constant time: the time taken says nothing about
  // which hash (or how much of one) matched.
  std::shared_ptr<const Grant> match;
  for (const TokenEntry& entry : *entries) {
    if (CRYPTO_memcmp(entry.sha256.data(), presented.data(), presented.size()) == 0) {
      match = entry.grant;
    }
  }
  if (!match) return absl::UnauthenticatedError("unknown token");
  return match;
}

}  // namespace wxbridge::auth
