// A stream layer that delivers a failed write only once what the peer sent before the
// connection broke has been read.
//
// A gateway that refuses a frame as too big sends a close frame (code 1009) and drops the
// connection while the bridge is still writing that frame. The close frame and the reset
// often arrive together, and the bridge may still be reading frames sent before them.
// Were the failed write delivered at once, Beast would mark the stream failed and discard
// the rest, close frame included, so the bridge could not tell "refused as too big" from
// "connection lost" and would write the frame again on the next connection.
//
// Once the owner calls HoldFailedWrites() (when the WebSocket is open), a failed write is
// held until there is nothing more to read first: a read failed (everything the peer sent
// has been read), the owner read the peer's close frame, or the owner closed the socket;
// the owner says the last two with StopHolding(), on every close. A held write is also
// delivered after the given limit, for when the reader itself waits on that write (Beast
// answering a ping). After StopHolding() failed writes are delivered at once. Reads and
// successful writes always complete as before. Only upstream_connection.cc includes this
// (Beast headers are heavy).
#ifndef WXBRIDGE_SERVER_UPSTREAM_READ_FIRST_STREAM_H_
#define WXBRIDGE_SERVER_UPSTREAM_READ_FIRST_STREAM_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>

#include "boost/asio/associated_allocator.hpp"
#include "boost/asio/associated_executor.hpp"
#include "boost/asio/async_result.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core/bind_handler.hpp"
#include "boost/beast/core/error.hpp"
#include "boost/beast/core/role.hpp"
#include "boost/beast/websocket/teardown.hpp"

namespace wxbridge::upstream {

template <class NextLayer>
class ReadFirstStream {
 public:
  using next_layer_type = NextLayer;
  using executor_type = typename NextLayer::executor_type;
  // asio::ssl::stream asks its next layer for these, only for their executor; Beast's
  // get_lowest_layer() follows next_layer() instead and still reaches the TCP stream.
  using lowest_layer_type = ReadFirstStream;

  template <class... Args>
  explicit ReadFirstStream(Args&&... args) : next_(std::forward<Args>(args)...) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }
  const next_layer_type& next_layer() const noexcept { return next_; }
  lowest_layer_type& lowest_layer() noexcept { return *this; }
  const lowest_layer_type& lowest_layer() const noexcept { return *this; }

  // From now on a failed write is held, for at most `limit`.
  void HoldFailedWrites(std::chrono::steady_clock::duration limit) {
    state_->holding = true;
    state_->limit = limit;
  }
  // Delivers a held failed write (posted), if there is one, and holds none from now on.
  void StopHolding() { state_->StopHolding(); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return Start</*kRead=*/true>(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return Start</*kRead=*/false>(buffers, std::forward<Handler>(handler));
  }

 private:
  using StreamExecutor = executor_type;

  // A failed write's completion, bound to its result, waiting to be posted.
  struct HeldWrite {
    virtual ~HeldWrite() = default;
    virtual void Post() = 0;
  };

  // Shared with the handlers in flight, which may outlive the stream.
  struct State : std::enable_shared_from_this<State> {
    explicit State(const StreamExecutor& executor) : executor(executor), limit_timer(executor) {}

    void Hold(std::unique_ptr<HeldWrite> write) {
      if (!holding) {
        write->Post();
        return;
      }
      held_write = std::move(write);
      limit_timer.expires_after(limit);
      limit_timer.async_wait([weak = this->weak_from_this()](boost::beast::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->Release();
      });
    }

    void Release() {
      if (!held_write) return;
      limit_timer.cancel();
      std::unique_ptr<HeldWrite> write = std::move(held_write);
      write->Post();
    }

    void StopHolding() {
      holding = false;
      Release();
    }

    const StreamExecutor executor;  // for handlers whose own executor is not set
    bool holding = false;
    std::chrono::steady_clock::duration limit{};
    std::unique_ptr<HeldWrite> held_write;
    boost::asio::steady_timer limit_timer;
  };

  template <class Handler>
  struct BoundWrite final : HeldWrite {
    BoundWrite(Handler h, const StreamExecutor& executor, boost::beast::error_code ec,
               std::size_t n)
        : handler(std::move(h)), work(executor), ec(ec), bytes(n) {}
    void Post() override {
      auto where = boost::asio::get_associated_executor(handler, work.get_executor());
      boost::asio::post(where, boost::beast::bind_front_handler(std::move(handler), ec, bytes));
    }
    Handler handler;
    // A held write is work still to do: the io_context must not run out while it waits.
    boost::asio::executor_work_guard<StreamExecutor> work;
    boost::beast::error_code ec;
    std::size_t bytes;
  };

  // Wraps an operation's handler, keeping its executor and allocator. A read's completion
  // goes straight through; a failed write's is held (State).
  template <class Handler, bool kRead>
  struct Wrapped {
    using executor_type = boost::asio::associated_executor_t<Handler, StreamExecutor>;
    using allocator_type = boost::asio::associated_allocator_t<Handler>;

    Handler handler;
    std::shared_ptr<State> state;

    executor_type get_executor() const noexcept {
      return boost::asio::get_associated_executor(handler, state->executor);
    }
    allocator_type get_allocator() const noexcept {
      return boost::asio::get_associated_allocator(handler);
    }

    void operator()(boost::beast::error_code ec, std::size_t bytes) {
      if constexpr (kRead) {
        std::move(handler)(ec, bytes);
        if (ec) state->StopHolding();
      } else if (!ec) {
        std::move(handler)(ec, bytes);
      } else {
        state->Hold(
            std::make_unique<BoundWrite<Handler>>(std::move(handler), state->executor, ec, bytes));
      }
    }
  };

  // Starts the next layer's read or write with its handler wrapped.
  template <bool kRead, class Buffers, class Handler>
  auto Start(const Buffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto inner, const Buffers& b) {
          Wrapped<decltype(inner), kRead> wrapped{std::move(inner), state_};
          if constexpr (kRead) {
            next_.async_read_some(b, std::move(wrapped));
          } else {
            next_.async_write_some(b, std::move(wrapped));
          }
        },
        handler, buffers);
  }

  NextLayer next_;
  std::shared_ptr<State> state_ = std::make_shared<State>(next_.get_executor());
};

// The websocket stream closes its transport through these (found by ADL).
template <class NextLayer>
void teardown(boost::beast::role_type role, ReadFirstStream<NextLayer>& stream,
              boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, ReadFirstStream<NextLayer>& stream,
                    TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace wxbridge::upstream

#endif  // WXBRIDGE_SERVER_UPSTREAM_READ_FIRST_STREAM_H_
