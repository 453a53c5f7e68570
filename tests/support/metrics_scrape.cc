#include "tests/support/metrics_scrape.h"

#include <cstdlib>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/write.hpp"

namespace wxbridge::testing {

absl::StatusOr<MetricsScrape> MetricsScrape::Fetch(int port) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  asio::write(socket, asio::buffer(request), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("write: ", ec.message()));
  std::string response;
  asio::read(socket, asio::dynamic_buffer(response), ec);  // HTTP/1.0: to the close
  if (ec && ec != asio::error::eof) {
    return absl::UnavailableError(absl::StrCat("read: ", ec.message()));
  }
  const std::size_t body = response.find("\r\n\r\n");
  if (!absl::StartsWith(response, "HTTP/1.1 200") && !absl::StartsWith(response, "HTTP/1.0 200")) {
    return absl::UnavailableError(absl::StrCat("not a 200: ", response.substr(0, 200)));
  }
  return MetricsScrape(body == std::string::npos ? "" : response.substr(body + 4));
}

MetricsScrape::MetricsScrape(const std::string& body) : body_(body) {
  std::istringstream lines(body_);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    series_.emplace_back(line.substr(0, space), std::strtod(line.c_str() + space + 1, nullptr));
  }
}

std::optional<double> MetricsScrape::Value(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels) const {
  for (const auto& [series, value] : series_) {
    if (series != name && !absl::StartsWith(series, name + "{")) continue;
    bool all = true;
    for (const auto& [label, label_value] : labels) {
      all = all && absl::StrContains(series, absl::StrCat(label, "=\"", label_value, "\""));
    }
    if (all) return value;
  }
  return std::nullopt;
}

double MetricsScrape::ValueOr0(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels) const {
  return Value(name, labels).value_or(0);
}

bool MetricsScrape::HasFamily(const std::string& name) const {
  return absl::StrContains(body_, absl::StrCat("# TYPE ", name, " "));
}

}  // namespace wxbridge::testing
