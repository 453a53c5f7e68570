// TLS and mTLS on the gRPC port with certificates the test makes (openssl CLI), reloads of
// certificates and tokens while streams stay open, unix: sockets, and the refusal to
// serve the network without TLS and tokens.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/bridge_harness.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_credentials.h"

namespace wxbridge::testing {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& stem) {
  return std::filesystem::temp_directory_path() /
         (stem + "-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

class BridgeTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(certs_.ok()) << "could not make test certificates"; }

  // A bridge serving TLS with copies of server.pem/key (so a test can replace them).
  void StartBridge(const std::string& client_ca = "",
                   auth::ClientCertificates mode = auth::ClientCertificates::kRequire,
                   const std::string& tokens_file = "", const std::string& token = "") {
    cert_path_ = certs_.Path("served.pem");
    key_path_ = certs_.Path("served.key");
    ASSERT_TRUE(WriteFileAtomically(cert_path_, certs_.Read("server.pem")));
    ASSERT_TRUE(WriteFileAtomically(key_path_, certs_.Read("server.key")));
    HarnessOptions options;
    options.token = token;
    options.channel_credentials = Credentials(client_ca.empty() ? "" : "client");
    options.configure_bridge = [&](app::BridgeConfig& config) {
      config.grpc.tls.cert = cert_path_;
      config.grpc.tls.key = key_path_;
      config.grpc.tls.client_ca = client_ca;
      config.grpc.tls.client_certificates = mode;
      config.grpc.tokens_file = tokens_file;
    };
    harness_ = std::make_unique<BridgeHarness>(options);
  }

  // TLS client credentials trusting the test CA, with client certificate `client`
  // ("client", "stranger" or none).
  std::shared_ptr<grpc::ChannelCredentials> Credentials(const std::string& client = "") {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = certs_.Read("ca.pem");
    if (!client.empty()) {
      options.pem_cert_chain = certs_.Read(client + ".pem");
      options.pem_private_key = certs_.Read(client + ".key");
    }
    return grpc::SslCredentials(options);
  }

  // GetStatus over a fresh connection; the served certificate (PEM) into `served`.
  grpc::Status GetStatusOver(std::shared_ptr<grpc::ChannelCredentials> credentials,
                             std::string* served = nullptr, const std::string& token = "") {
    auto stub = v1::BridgeService::NewStub(grpc::CreateChannel(harness_->target(), credentials));
    auto context = Context(kWait, token);
    v1::GetStatusResponse response;
    grpc::Status status = stub->GetStatus(context.get(), {}, &response);
    if (served != nullptr && context->auth_context()) {
      auto pem = context->auth_context()->FindPropertyValues("x509_pem_cert");
      if (!pem.empty()) served->assign(pem.front().data(), pem.front().size());
    }
    return status;
  }

  TestCertificates certs_;
  std::string cert_path_, key_path_;
  std::unique_ptr<BridgeHarness> harness_;
};

TEST_F(BridgeTlsTest, ATlsClientIsServedAndAPlaintextClientIsNot) {
  StartBridge();
  std::string served;
  EXPECT_TRUE(GetStatusOver(Credentials(), &served).ok());
  EXPECT_EQ(served, certs_.Read("server.pem"));
  const grpc::Status plaintext = GetStatusOver(grpc::InsecureChannelCredentials());
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(BridgeTlsTest, RequiredClientCertificatesMustBeSignedByTheClientCa) {
  StartBridge(certs_.Path("ca.pem"), auth::ClientCertificates::kRequire);
  EXPECT_TRUE(GetStatusOver(Credentials("client")).ok());
  EXPECT_EQ(GetStatusOver(Credentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(GetStatusOver(Credentials("stranger")).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(BridgeTlsTest, OptionalClientCertificatesAreCheckedWhenPresented) {
  StartBridge(certs_.Path("ca.pem"), auth::ClientCertificates::kOptional);
  EXPECT_TRUE(GetStatusOver(Credentials("client")).ok());
  EXPECT_TRUE(GetStatusOver(Credentials()).ok());
  EXPECT_EQ(GetStatusOver(Credentials("stranger")).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(BridgeTlsTest, ReloadServesTheNewCertificateAndOpenStreamsContinue) {
  const TestToken old_token = MakeToken("old", {"*"}, {"*"});
  const TestToken new_token = MakeToken("new", {"*"}, {"*"});
  const std::string tokens_file = TempPath("wxbridge-tokens");
  ASSERT_TRUE(WriteFileAtomically(tokens_file, TokensFileJson({old_token})));
  StartBridge("", auth::ClientCertificates::kRequire, tokens_file, old_token.secret);
  ASSERT_TRUE(harness_->WaitConnected());
  auto stream = harness_->Subscribe();  // opened with the old token and certificate

  // Rotate both, as a deploy would: replace the files, then reload (SIGHUP in wxbridge).
  ASSERT_TRUE(WriteFileAtomically(cert_path_, certs_.Read("server2.pem")));
  ASSERT_TRUE(WriteFileAtomically(key_path_, certs_.Read("server2.key")));
  ASSERT_TRUE(WriteFileAtomically(tokens_file, TokensFileJson({new_token})));
  harness_->bridge().Reload();

  std::string served;
  EXPECT_TRUE(GetStatusOver(Credentials(), &served, new_token.secret).ok());
  EXPECT_EQ(served, certs_.Read("server2.pem")) << "a new connection still got the old certificate";
  EXPECT_EQ(GetStatusOver(Credentials(), nullptr, old_token.secret).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // The stream opened before the rotation still delivers.
  v1::LoginRequest login;
  login.set_account("alice");
  v1::LoginResponse response;
  auto stub = v1::BridgeService::NewStub(grpc::CreateChannel(harness_->target(), Credentials()));
  ASSERT_TRUE(stub->Login(Context(kWait, new_token.secret).get(), login, &response).ok());
  EXPECT_TRUE(stream->WaitForEvent(
      [](const v1::Event& e) { return IsLoginStatus(e, "alice", v1::LOGIN_STATUS_LOGGED_IN); }));
  EXPECT_FALSE(stream->WaitForEnd(std::chrono::milliseconds(0)).has_value());
  std::filesystem::remove(tokens_file);
}

TEST_F(BridgeTlsTest, AReloadOfBadFilesKeepsWhatIsInUse) {
  const TestToken token = MakeToken("ops", {"*"}, {"*"});
  const std::string tokens_file = TempPath("wxbridge-tokens");
  ASSERT_TRUE(WriteFileAtomically(tokens_file, TokensFileJson({token})));
  StartBridge("", auth::ClientCertificates::kRequire, tokens_file, token.secret);

  ASSERT_TRUE(WriteFileAtomically(cert_path_, "not a certificate"));
  ASSERT_TRUE(WriteFileAtomically(key_path_, certs_.Read("server2.key")));
  ASSERT_TRUE(WriteFileAtomically(tokens_file, "{\"tokens\": [{\"name\": \"broken\"}]}"));
  harness_->bridge().Reload();

  std::string served;
  EXPECT_TRUE(GetStatusOver(Credentials(), &served, token.secret).ok());
  EXPECT_EQ(served, certs_.Read("server.pem"));
  std::filesystem::remove(tokens_file);
}

TEST(BridgeListenTest, AUnixSocketServesWithoutTlsOrTokens) {
  const std::string socket = TempPath("wxbridge") + ".sock";
  HarnessOptions options;
  options.configure_bridge = [&](app::BridgeConfig& config) {
    config.grpc.listen = "unix:" + socket;
  };
  BridgeHarness harness(options);
  auto stub = v1::BridgeService::NewStub(
      grpc::CreateChannel("unix:" + socket, grpc::InsecureChannelCredentials()));
  v1::GetStatusResponse response;
  EXPECT_TRUE(stub->GetStatus(Context().get(), {}, &response).ok());
}

TEST(BridgeListenTest, TheNetworkIsRefusedWithoutTlsAndTokensUnlessAllowed) {
  app::BridgeConfig config;
  config.grpc.listen = "0.0.0.0:0";
  const absl::Status refused = app::ValidateConfig(config);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  for (const char* named : {"--tls_cert", "--tokens_file", "--allow_insecure"}) {
    EXPECT_THAT(std::string(refused.message()), HasSubstr(named));
  }
  config.grpc.tls.cert = "cert.pem";
  config.grpc.tls.key = "key.pem";
  EXPECT_FALSE(app::ValidateConfig(config).ok()) << "TLS without tokens";
  config.grpc.tokens_file = "tokens.json";
  EXPECT_TRUE(app::ValidateConfig(config).ok());

  app::BridgeConfig allowed;
  allowed.grpc.listen = "[::]:0";
  allowed.grpc.allow_insecure = true;
  EXPECT_TRUE(app::ValidateConfig(allowed).ok());
  for (const char* local : {"127.0.0.1:0", "localhost:50051", "[::1]:0", "unix:/tmp/x.sock"}) {
    app::BridgeConfig loopback;
    loopback.grpc.listen = local;
    EXPECT_TRUE(app::ValidateConfig(loopback).ok()) << local;
  }
  for (const char* remote : {":50051", "10.0.0.1:50051", "myhost:50051", "[2001:db8::1]:1"}) {
    EXPECT_FALSE(app::IsLocalListenAddress(remote)) << remote;
  }
}

}  // namespace
}  // namespace wxbridge::testing
