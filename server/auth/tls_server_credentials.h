// TLS for the gRPC port, with certificates that can be replaced while serving: the files
// are read and checked at start and on Reload (SIGHUP); gRPC asks for the current ones at
// each new connection's handshake, so connections already open keep theirs and new ones
// get the new certificate. A file that fails the checks leaves the one in use.
#ifndef WXBRIDGE_SERVER_AUTH_TLS_SERVER_CREDENTIALS_H_
#define WXBRIDGE_SERVER_AUTH_TLS_SERVER_CREDENTIALS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "grpc/grpc_security.h"
#include "grpcpp/security/server_credentials.h"

namespace wxbridge::auth {

// Whether the server asks connecting clients for a certificate signed by the client CA.
enum class ClientCertificates {
  kNone,      // not asked
  kOptional,  // verified when a client presents one; clients without one still connect
  kRequire,   // a client without a valid certificate fails the handshake
};

struct TlsFiles {
  std::string cert;       // PEM certificate chain, leaf first; empty: no TLS
  std::string key;        // PEM private key of the leaf
  std::string client_ca;  // PEM CA bundle for client certificates; empty: no mTLS
  // Applies only with a client_ca (without one no client certificate is asked for).
  ClientCertificates client_certificates = ClientCertificates::kRequire;

  bool enabled() const { return !cert.empty(); }
};

class TlsCertificateStore {
 public:
  explicit TlsCertificateStore(TlsFiles files);
  ~TlsCertificateStore();

  // Reads and checks the files (each parses, the key matches the certificate); on error
  // the certificates in use stay. Call once before Credentials().
  absl::Status Load();
  // Load(), logged: the new certificate's subject and expiry, or why the old one stays.
  void Reload();

  // Server credentials that always serve the latest loaded certificates. The store must
  // outlive every server using them.
  std::shared_ptr<grpc::ServerCredentials> Credentials();

 private:
  struct Pem {
    std::string cert, key, client_ca;
  };
  // gRPC's certificate-config fetcher, called at each handshake: NEW with the latest
  // certificates when they changed since it last asked, else UNCHANGED.
  static grpc_ssl_certificate_config_reload_status Fetch(
      void* store, grpc_ssl_server_certificate_config** config);

  const TlsFiles files_;
  std::mutex mu_;
  Pem pem_;                  // guarded by mu_
  uint64_t version_ = 0;     // guarded by mu_; bumped by each successful Load
  uint64_t delivered_ = 0;   // guarded by mu_; the version gRPC has
  std::string description_;  // guarded by mu_; subject and expiry, for logs
};

// "none", "optional" or "require" into `out`; false otherwise.
bool ParseClientCertificates(const std::string& text, ClientCertificates* out);

}  // namespace wxbridge::auth

#endif  // WXBRIDGE_SERVER_AUTH_TLS_SERVER_CREDENTIALS_H_
