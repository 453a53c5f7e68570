#include "client/wxclient/channel.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::client {
namespace {

// The whole of a PEM file. `flag` names the setting in messages.
absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read \"", path, "\": ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  // gRPC would only fail later, at the handshake, with a vaguer message.
  if (!absl::StrContains(contents.str(), "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": \"", path, "\" is not a PEM file"));
  }
  return contents.str();
}

absl::Status CheckCombination(const ChannelOptions& options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key go together (the client certificate and its key)");
  }
  if (!options.tls() && (!options.tls_cert_file.empty() || !options.tls_server_name.empty())) {
    return absl::InvalidArgumentError(
        "--tls_cert, --tls_key and --tls_server_name need --tls_ca (or WXBRIDGE_TLS_CA): TLS "
        "is on only with it");
  }
  return absl::OkStatus();
}

}  // namespace

std::string EnvOrEmpty(const char* variable) {
  const char* value = std::getenv(variable);
  return value != nullptr ? value : "";
}

std::string DefaultServer() {
  const std::string value = EnvOrEmpty(kServerVariable);
  return value.empty() ? kDefaultServer : value;
}

ChannelOptions ChannelOptionsFromEnvironment() {
  ChannelOptions options;
  options.target = DefaultServer();
  options.tls_ca_file = EnvOrEmpty(kTlsCaVariable);
  options.tls_cert_file = EnvOrEmpty(kTlsCertVariable);
  options.tls_key_file = EnvOrEmpty(kTlsKeyVariable);
  return options;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ChannelOptions& options) {
  if (absl::Status fits = CheckCombination(options); !fits.ok()) return fits;
  if (!options.tls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  absl::StatusOr<std::string> ca = ReadPem(options.tls_ca_file, "tls_ca");
  if (!ca.ok()) return ca.status();
  ssl.pem_root_certs = *std::move(ca);
  if (!options.tls_cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(options.tls_cert_file, "tls_cert");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(options.tls_key_file, "tls_key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  return grpc::CreateCustomChannel(options.target, *credentials, args);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  ChannelOptions options;
  options.target = target;
  return *MakeChannel(options);  // plaintext reads no file: cannot fail
}

absl::Status CheckToken(absl::string_view token) {
  for (char c : token) {
    // gRPC refuses (and C++ aborts on) a metadata value outside printable ASCII.
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "the token (--token or $WXBRIDGE_TOKEN) holds a character other than printable "
          "ASCII (a trailing newline?)");
    }
  }
  if (!token.empty() && (token.front() == ' ' || token.back() == ' ')) {
    return absl::InvalidArgumentError(
        "the token (--token or $WXBRIDGE_TOKEN) starts or ends with a space");
  }
  return absl::OkStatus();
}

std::unique_ptr<grpc::ClientContext> NewCallContext(std::chrono::milliseconds timeout,
                                                    const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (timeout.count() > 0) context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return context;
}

}  // namespace wxbridge::client
