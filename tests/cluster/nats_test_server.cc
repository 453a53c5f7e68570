#include "tests/cluster/nats_test_server.h"

#include <arpa/inet.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/support/poll_until.h"

namespace wxbridge::testing {
namespace {

// A loopback port nothing listens on now (the kernel's pick; the server binds it next).
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// True when a client connects to `url` (over TLS trusting `ca_file` when not empty) and
// JetStream answers an account info request.
bool JetStreamAnswers(const std::string& url, const std::string& ca_file) {
  natsOptions* options = nullptr;
  if (natsOptions_Create(&options) != NATS_OK) return false;
  natsStatus s = natsOptions_SetURL(options, url.c_str());
  if (s == NATS_OK && !ca_file.empty()) {
    s = natsOptions_SetSecure(options, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(options, ca_file.c_str());
  }
  natsConnection* connection = nullptr;
  if (s == NATS_OK) s = natsConnection_Connect(&connection, options);
  natsOptions_Destroy(options);
  if (s != NATS_OK) return false;
  jsCtx* js = nullptr;
  jsAccountInfo* info = nullptr;
  const bool ok = natsConnection_JetStream(&js, connection, nullptr) == NATS_OK &&
                  js_GetAccountInfo(&info, js, nullptr, nullptr) == NATS_OK;
  if (info != nullptr) jsAccountInfo_Destroy(info);
  if (js != nullptr) jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  return ok;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NatsTestServer>> NatsTestServer::Start(
    const std::string& binary, std::chrono::milliseconds ready_timeout) {
  return Create(binary, std::nullopt, ready_timeout);
}

absl::StatusOr<std::unique_ptr<NatsTestServer>> NatsTestServer::StartTls(
    const std::string& binary, NatsTestTls tls, std::chrono::milliseconds ready_timeout) {
  return Create(binary, std::move(tls), ready_timeout);
}

absl::StatusOr<std::unique_ptr<NatsTestServer>> NatsTestServer::Create(
    const std::string& binary, std::optional<NatsTestTls> tls,
    std::chrono::milliseconds ready_timeout) {
  std::string pattern = (std::filesystem::temp_directory_path() / "wxnats.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  const int port = FreeLoopbackPort();
  if (port == 0) return absl::InternalError("no free loopback port");
  std::unique_ptr<NatsTestServer> server(new NatsTestServer(binary, pattern, port, std::move(tls)));
  if (absl::Status status = server->Run(ready_timeout); !status.ok()) return status;
  return server;
}

NatsTestServer::NatsTestServer(std::string binary, std::string dir, int port,
                               std::optional<NatsTestTls> tls)
    : binary_(std::move(binary)), dir_(std::move(dir)), port_(port), tls_(std::move(tls)) {}

NatsTestServer::~NatsTestServer() {
  process_.reset();  // SIGTERM, then SIGKILL after the grace time
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string NatsTestServer::url() const {
  return absl::StrCat(tls_ ? "tls" : "nats", "://127.0.0.1:", port_);
}

void NatsTestServer::Kill() {
  if (process_ == nullptr) return;
  if (process_->started()) kill(process_->pid(), SIGKILL);
  process_->Wait(std::chrono::seconds(5));
  process_.reset();
}

absl::Status NatsTestServer::Restart(std::chrono::milliseconds ready_timeout) {
  Kill();
  return Run(ready_timeout);
}

absl::Status NatsTestServer::Run(std::chrono::milliseconds ready_timeout) {
  ChildOptions options;
  options.stderr_file = absl::StrCat(dir_, "/nats-server.", ++runs_, ".log");
  std::vector<std::string> argv = {binary_, "-js",
                                   "-a",    "127.0.0.1",
                                   "-p",    absl::StrCat(port_),
                                   "-sd",   absl::StrCat(dir_, "/store")};
  if (tls_) {
    argv.insert(argv.end(), {"--tls", absl::StrCat("--tlscert=", tls_->cert_file),
                             absl::StrCat("--tlskey=", tls_->key_file)});
  }
  process_ = std::make_unique<ChildProcess>(argv, options);
  if (!process_->started()) return absl::InternalError(absl::StrCat("cannot run ", binary_));
  process_->DrainOutput();
  const std::string ca_file = tls_ ? tls_->ca_file : "";
  if (!PollUntil([&] { return JetStreamAnswers(url(), ca_file); }, ready_timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(binary_, " did not answer on ", url(),
                                                    " within ", ready_timeout.count(), " ms; see ",
                                                    options.stderr_file));
  }
  return absl::OkStatus();
}

}  // namespace wxbridge::testing
