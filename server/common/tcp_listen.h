// Opening a listening TCP socket the same way everywhere (the simulator, the HTTP port):
// address reuse on, so a restart binds at once, and the system's full backlog.
#ifndef WXBRIDGE_SERVER_COMMON_TCP_LISTEN_H_
#define WXBRIDGE_SERVER_COMMON_TCP_LISTEN_H_

#include <boost/asio/ip/tcp.hpp>

namespace wxbridge {

// Opens, binds and listens `acceptor` on `endpoint`; the first error, or none.
inline boost::system::error_code ListenOn(boost::asio::ip::tcp::acceptor& acceptor,
                                          const boost::asio::ip::tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  return ec;
}

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_TCP_LISTEN_H_
