#include "server/auth/tls_server_credentials.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "grpc/grpc.h"
#include "server/common/file_text.h"
#include "server/common/log.h"

namespace wxbridge::auth {
namespace {

// The file, or an error naming the flag that named it.
absl::StatusOr<std::string> ReadFile(const std::string& path, const char* flag) {
  absl::StatusOr<std::string> text = ReadFileText(path);
  if (!text.ok())
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", text.status().message()));
  return text;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
using Cert = std::unique_ptr<X509, X509Deleter>;
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;

Bio MemoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Cert FirstCertificate(const std::string& pem) {
  Bio bio = MemoryBio(pem);
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string NameOf(X509_NAME* name) {
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string NotAfter(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), X509_get0_notAfter(cert));
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// Wraps C-core server credentials whose certificates come from a fetcher: the C++
// SslServerCredentials only takes fixed PEM strings.
class FetchingCredentials final : public grpc::ServerCredentials {
 public:
  // `credentials` was made after a grpc_init() this object balances.
  explicit FetchingCredentials(grpc_server_credentials* credentials) : credentials_(credentials) {}
  ~FetchingCredentials() override {
    grpc_server_credentials_release(credentials_);
    grpc_shutdown();
  }
  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {
    // Not used: tokens are checked by the service, where the method and request are known.
  }

 private:
  int AddPortToServer(const std::string& address, grpc_server* server) override {
    return grpc_server_add_http2_port(server, address.c_str(), credentials_);
  }

  grpc_server_credentials* const credentials_;
};

grpc_ssl_client_certificate_request_type ToGrpc(ClientCertificates mode) {
  switch (mode) {
    case ClientCertificates::kNone:
      return GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
    case ClientCertificates::kOptional:
      return GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    case ClientCertificates::kRequire:
      return GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
}

}  // namespace

bool ParseClientCertificates(const std::string& text, ClientCertificates* out) {
  if (text == "none") {
    *out = ClientCertificates::kNone;
  } else if (text == "optional") {
    *out = ClientCertificates::kOptional;
  } else if (text == "require") {
    *out = ClientCertificates::kRequire;
  } else {
    return false;
  }
  return true;
}

TlsCertificateStore::TlsCertificateStore(TlsFiles files) : files_(std::move(files)) {}
TlsCertificateStore::~TlsCertificateStore() = default;

absl::Status TlsCertificateStore::Load() {
  Pem pem;
  absl::StatusOr<std::string> cert = ReadFile(files_.cert, "--tls_cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(files_.key, "--tls_key");
  if (!key.ok()) return key.status();
  Cert leaf = FirstCertificate(*cert);
  if (!leaf) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert: ", files_.cert, " holds no PEM certificate"));
  }
  Bio key_bio = MemoryBio(*key);
  Key private_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!private_key) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_key: ", files_.key, " holds no PEM private key (or it is encrypted)"));
  }
  if (X509_check_private_key(leaf.get(), private_key.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_key: ", files_.key, " is not the key of the certificate in ", files_.cert));
  }
  if (!files_.client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(files_.client_ca, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
    if (!FirstCertificate(*ca)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--tls_client_ca: ", files_.client_ca, " holds no PEM certificate"));
    }
    pem.client_ca = *std::move(ca);
  }
  pem.cert = *std::move(cert);
  pem.key = *std::move(key);
  std::lock_guard<std::mutex> lock(mu_);
  pem_ = std::move(pem);
  description_ = absl::StrCat("subject ", NameOf(X509_get_subject_name(leaf.get())),
                              ", valid until ", NotAfter(leaf.get()));
  ++version_;
  return absl::OkStatus();
}

void TlsCertificateStore::Reload() {
  if (absl::Status status = Load(); !status.ok()) {
    Log(LogLevel::kError, "tls",
        "certificates not reloaded, the previous ones stay: ", status.message());
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  Log(LogLevel::kInfo, "tls", "certificates reloaded (", description_,
      "); new connections use them");
}

grpc_ssl_certificate_config_reload_status TlsCertificateStore::Fetch(
    void* user_data, grpc_ssl_server_certificate_config** config) {
  auto* self = static_cast<TlsCertificateStore*>(user_data);
  std::lock_guard<std::mutex> lock(self->mu_);
  if (self->delivered_ == self->version_) return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
  grpc_ssl_pem_key_cert_pair pair{self->pem_.key.c_str(), self->pem_.cert.c_str()};
  // gRPC copies the strings. Its fetcher path insists on root certificates even when no
  // client certificate is asked for (they are then never used): the server's own chain
  // stands in.
  const std::string& roots = self->pem_.client_ca.empty() ? self->pem_.cert : self->pem_.client_ca;
  *config = grpc_ssl_server_certificate_config_create(roots.c_str(), &pair, 1);
  self->delivered_ = self->version_;
  return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW;
}

std::shared_ptr<grpc::ServerCredentials> TlsCertificateStore::Credentials() {
  grpc_init();  // the C core must be up before its credentials are made
  grpc_ssl_server_credentials_options* options =
      grpc_ssl_server_credentials_create_options_using_config_fetcher(
          ToGrpc(files_.client_ca.empty() ? ClientCertificates::kNone : files_.client_certificates),
          &TlsCertificateStore::Fetch, this);
  // Takes ownership of the options.
  return std::make_shared<FetchingCredentials>(
      grpc_ssl_server_credentials_create_with_options(options));
}

}  // namespace wxbridge::auth
