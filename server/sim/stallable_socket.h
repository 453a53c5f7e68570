// A TCP socket that a test can freeze, as a hung gateway would be: while the
// shared `stalled` flag is set, reads and writes wait before touching the
// socket (bytes stay in the kernel, pings go unanswered) until Release() is
// called after clearing it. While `reads_paused` is set only reads wait: the
// gateway goes on writing but reads nothing, as one whose reader hung. Only
// sim_server.cc includes this (Beast headers are heavy). I/O thread only.
#ifndef WXBRIDGE_SERVER_SIM_STALLABLE_SOCKET_H_
#define WXBRIDGE_SERVER_SIM_STALLABLE_SOCKET_H_

#include <utility>

#include "boost/asio/async_result.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core/error.hpp"
#include "boost/beast/core/role.hpp"
#include "boost/beast/websocket/teardown.hpp"

namespace wxbridge::sim {

class StallableSocket {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using next_layer_type = socket_type;

  StallableSocket(socket_type socket, const bool& stalled, const bool& reads_paused)
      : socket_(std::move(socket)),
        gate_(socket_.get_executor(), boost::asio::steady_timer::time_point::max()),
        stalled_(stalled),
        reads_paused_(reads_paused) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  socket_type& next_layer() { return socket_; }
  const socket_type& next_layer() const { return socket_; }

  // Lets waiting operations re-check the flag (call after unstalling or
  // closing).
  void Release() { gate_.cancel(); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return Gated(/*is_read=*/true, buffers, std::forward<Handler>(handler),
                 [](socket_type& s, const auto& b, auto h) { s.async_read_some(b, std::move(h)); });
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return Gated(
        /*is_read=*/false, buffers, std::forward<Handler>(handler),
        [](socket_type& s, const auto& b, auto h) { s.async_write_some(b, std::move(h)); });
  }

 private:
  // Starts `start(socket, buffers, handler)` once the gate lets it through.
  template <class Buffers, class Handler, class Start>
  auto Gated(bool is_read, const Buffers& buffers, Handler&& handler, Start start) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this, is_read, start](auto h, const Buffers& b) {
          WhenOpen(is_read, [this, start, b, h = std::move(h)]() mutable {
            start(socket_, b, std::move(h));
          });
        },
        handler, buffers);
  }

  // Runs `op` now, or once the gate opens. A closed socket never waits: its
  // operation fails at once and the session ends.
  template <class Op>
  void WhenOpen(bool is_read, Op op) {
    const bool held = stalled_ || (is_read && reads_paused_);
    if (!held || !socket_.is_open()) {
      op();
      return;
    }
    gate_.async_wait([this, is_read, op = std::move(op)](boost::beast::error_code) mutable {
      WhenOpen(is_read, std::move(op));
    });
  }

  socket_type socket_;
  boost::asio::steady_timer gate_;  // never expires; cancelled to wake waiters
  const bool& stalled_;
  const bool& reads_paused_;
};

// The websocket stream closes its transport through these (found by ADL).
inline void teardown(boost::beast::role_type role, StallableSocket& socket,
                     boost::beast::error_code& ec) {
  boost::beast::websocket::teardown(role, socket.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, StallableSocket& socket,
                    TeardownHandler&& handler) {
  boost::beast::websocket::async_teardown(role, socket.next_layer(),
                                          std::forward<TeardownHandler>(handler));
}

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_STALLABLE_SOCKET_H_
