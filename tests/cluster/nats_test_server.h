// A nats-server with JetStream for one test: on a free loopback port, its store in a
// fresh temp dir (removed at the end), its log in that dir. Start waits until it
// accepts connections and answers JetStream requests; Kill and Restart (same port, same
// store dir) stand for a crash and a restart of the server. With NatsTestTls it serves
// TLS only (tls:// URLs).
#ifndef WXBRIDGE_TESTS_CLUSTER_NATS_TEST_SERVER_H_
#define WXBRIDGE_TESTS_CLUSTER_NATS_TEST_SERVER_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/child_process.h"

namespace wxbridge::testing {

// PEM files for a TLS-only server: its certificate and key, and the CA that signed it
// (the readiness check trusts only that CA, as a replica would).
struct NatsTestTls {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
};

class NatsTestServer {
 public:
  // `binary`: the nats-server to run. Starts it and waits up to `ready_timeout`.
  static absl::StatusOr<std::unique_ptr<NatsTestServer>> Start(
      const std::string& binary,
      std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  // The same, serving TLS with `tls` (clients must use TLS: nats-server then refuses
  // plain connections).
  static absl::StatusOr<std::unique_ptr<NatsTestServer>> StartTls(
      const std::string& binary, NatsTestTls tls,
      std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  ~NatsTestServer();  // stops the server, removes its dir

  std::string url() const;  // nats://127.0.0.1:PORT, or tls://127.0.0.1:PORT with TLS
  int port() const { return port_; }
  // While it runs (0 after Kill): to measure its CPU.
  pid_t pid() const { return process_ ? process_->pid() : 0; }
  // SIGKILL, reaped: a crash.
  void Kill();
  // Starts it again on the same port and store dir and waits until it is ready.
  absl::Status Restart(std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));

 private:
  NatsTestServer(std::string binary, std::string dir, int port, std::optional<NatsTestTls> tls);
  static absl::StatusOr<std::unique_ptr<NatsTestServer>> Create(
      const std::string& binary, std::optional<NatsTestTls> tls,
      std::chrono::milliseconds ready_timeout);
  absl::Status Run(std::chrono::milliseconds ready_timeout);

  const std::string binary_;
  const std::string dir_;
  const int port_;
  const std::optional<NatsTestTls> tls_;
  int runs_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_CLUSTER_NATS_TEST_SERVER_H_
