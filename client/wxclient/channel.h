// Connecting to a wxbridge: one channel with message-size limits that fit a 10 MB image,
// and client contexts with a deadline.
#ifndef WXBRIDGE_CLIENT_WXCLIENT_CHANNEL_H_
#define WXBRIDGE_CLIENT_WXCLIENT_CHANNEL_H_

#include <chrono>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"

namespace wxbridge::client {

// Largest message sent or received. The bridge enforces its own, smaller limit
// (--max_frame_bytes); the client must not be the one that refuses a large image.
inline constexpr int kMaxMessageBytes = 64 << 20;

// Where wxbridge listens unless told otherwise.
inline constexpr char kDefaultServer[] = "127.0.0.1:50051";
// The environment variable that overrides kDefaultServer.
inline constexpr char kServerVariable[] = "WXBRIDGE_SERVER";

// $WXBRIDGE_SERVER when set and not empty, else kDefaultServer.
std::string DefaultServer();

// An insecure (plaintext HTTP/2) channel to `target` ("host:port").
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);

// A context whose deadline is `timeout` from now; zero means no deadline.
std::unique_ptr<grpc::ClientContext> ContextWithTimeout(std::chrono::milliseconds timeout);

}  // namespace wxbridge::client

#endif  // WXBRIDGE_CLIENT_WXCLIENT_CHANNEL_H_
