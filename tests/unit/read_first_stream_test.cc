// ReadFirstStream over real loopback sockets: when the peer sends bytes and then resets
// the connection under a write in flight, every byte it sent is read before the write's
// failure is delivered; with nothing reading, the failure waits for StopHolding() or, at
// most, the limit given to HoldFailedWrites().
#include "server/upstream/read_first_stream.h"

#include <poll.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "boost/asio/buffer.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/write.hpp"
#include "gtest/gtest.h"

namespace wxbridge::upstream {
namespace {

using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

constexpr std::chrono::seconds kWait(10);

// A connected pair on 127.0.0.1: `stream` (the layer under test) and `peer`.
struct Pair {
  boost::asio::io_context io;
  ReadFirstStream<tcp::socket> stream{io};
  tcp::socket peer{io};

  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    stream.next_layer().connect(acceptor.local_endpoint());
    acceptor.accept(peer);
  }

  // The peer resets the connection (RST); returns once the kernel has told `stream`'s
  // socket, so the next poll of the io_context sees the failure.
  bool PeerResets() {
    peer.set_option(boost::asio::socket_base::linger(true, 0));
    peer.close();
    pollfd fd{stream.next_layer().native_handle(), POLLOUT, 0};
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::poll(&fd, 1, 100) > 0 && (fd.revents & (POLLERR | POLLHUP))) return true;
    }
    return false;
  }
};

// A write the peer never reads: more than the socket buffers take, so it stays in flight.
const std::string& LargeWrite() {
  static const std::string bytes(16 << 20, 'w');
  return bytes;
}

TEST(ReadFirstStreamTest, EveryByteThePeerSentIsReadBeforeTheFailedWrite) {
  Pair pair;
  pair.stream.HoldFailedWrites(kWait);
  std::vector<std::string> events;
  boost::asio::async_write(
      pair.stream, boost::asio::buffer(LargeWrite()),
      [&](error_code ec, std::size_t) { events.push_back(ec ? "write failed" : "write done"); });
  // A reader that lags behind: one byte per read, each started by the last one's handler.
  std::string received;
  char byte = 0;
  std::function<void()> read_next = [&] {
    pair.stream.async_read_some(boost::asio::buffer(&byte, 1), [&](error_code ec, std::size_t) {
      if (ec) {
        events.push_back("read failed");
        return;
      }
      received.push_back(byte);
      events.push_back("read");
      read_next();
    });
  };
  read_next();
  pair.io.poll();  // both start; the write fills the buffers and waits

  const std::string sent = "what-the-peer-said-last";  // a close frame, say
  boost::asio::write(pair.peer, boost::asio::buffer(sent));
  ASSERT_TRUE(pair.PeerResets());
  pair.io.run_for(kWait);  // returns once both operations have ended

  EXPECT_EQ(received, sent);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2], "read failed");
  EXPECT_EQ(events.back(), "write failed");
}

TEST(ReadFirstStreamTest, WithNothingReadingAFailedWriteWaitsForStopHolding) {
  Pair pair;
  pair.stream.HoldFailedWrites(kWait);
  bool write_ended = false;
  error_code write_error;
  boost::asio::async_write(pair.stream, boost::asio::buffer(LargeWrite()),
                           [&](error_code ec, std::size_t) {
                             write_ended = true;
                             write_error = ec;
                           });
  pair.io.poll();
  ASSERT_TRUE(pair.PeerResets());
  // The socket's failure is known: these polls perform the write, which fails and is held.
  for (int i = 0; i < 10; ++i) pair.io.poll();
  EXPECT_FALSE(write_ended) << "a failed write was delivered while it should have waited";

  pair.stream.StopHolding();
  pair.io.run_for(kWait);
  EXPECT_TRUE(write_ended);
  EXPECT_TRUE(write_error) << "the write was reported as done";

  // From now on a failed write is not held: one on the closed socket ends at once.
  pair.stream.next_layer().close();
  write_ended = false;
  pair.io.restart();
  boost::asio::async_write(pair.stream, boost::asio::buffer(LargeWrite()),
                           [&](error_code ec, std::size_t) {
                             write_ended = true;
                             write_error = ec;
                           });
  pair.io.run_for(kWait);
  EXPECT_TRUE(write_ended);
  EXPECT_TRUE(write_error);
}

TEST(ReadFirstStreamTest, AHeldWriteIsDeliveredAfterItsLimit) {
  Pair pair;
  constexpr std::chrono::milliseconds kLimit(100);
  pair.stream.HoldFailedWrites(kLimit);
  bool write_failed = false;
  boost::asio::async_write(
      pair.stream, boost::asio::buffer(LargeWrite()),
      [&](error_code ec, std::size_t) { write_failed = static_cast<bool>(ec); });
  pair.io.poll();
  ASSERT_TRUE(pair.PeerResets());
  const auto reset_at = std::chrono::steady_clock::now();
  pair.io.run_for(kWait);  // returns once the write has ended
  EXPECT_TRUE(write_failed) << "the write did not fail";
  EXPECT_GE(std::chrono::steady_clock::now() - reset_at, kLimit) << "delivered before its limit";
}

}  // namespace
}  // namespace wxbridge::upstream
