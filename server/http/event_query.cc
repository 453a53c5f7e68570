#include "server/http/event_query.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"

namespace wxbridge::http {
namespace {

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<uint64_t> ParseSeq(std::string_view name, std::string_view text) {
  uint64_t value = 0;
  if (!absl::SimpleAtoi(Absl(text), &value) || text.empty() || text[0] == '-' || text[0] == '+') {
    return absl::InvalidArgumentError(absl::StrCat(
        Absl(name), " must be a non-negative integer, not \"", Absl(text.substr(0, 64)), "\""));
  }
  return value;
}

absl::Status AddKind(std::string_view text, v1::SubscribeRequest* request) {
  std::string name = absl::AsciiStrToUpper(Absl(text));
  if (name.rfind("EVENT_KIND_", 0) != 0) name = absl::StrCat("EVENT_KIND_", name);
  v1::EventKind kind;
  if (!v1::EventKind_Parse(name, &kind)) {
    return absl::InvalidArgumentError(absl::StrCat("kinds: no event kind \"",
                                                   Absl(text.substr(0, 64)),
                                                   "\" (e.g. MESSAGE, LOGIN_STATUS, CONTACT)"));
  }
  request->add_kinds(kind);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> DecodeQueryComponent(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return absl::InvalidArgumentError("malformed %-escape in the query string");
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

absl::StatusOr<v1::SubscribeRequest> ParseEventQuery(std::string_view query,
                                                     std::string_view last_event_id) {
  v1::SubscribeRequest request;
  for (absl::string_view pair : absl::StrSplit(Absl(query), '&', absl::SkipEmpty())) {
    const std::size_t equals = pair.find('=');
    absl::StatusOr<std::string> name = DecodeQueryComponent(
        std::string_view(pair.data(), equals == absl::string_view::npos ? pair.size() : equals));
    absl::StatusOr<std::string> value = DecodeQueryComponent(
        equals == absl::string_view::npos
            ? std::string_view()
            : std::string_view(pair.data() + equals + 1, pair.size() - equals - 1));
    if (!name.ok()) return name.status();
    if (!value.ok()) return value.status();
    if (*name == "accounts" || *name == "kinds") {
      for (absl::string_view item : absl::StrSplit(*value, ',', absl::SkipEmpty())) {
        if (*name == "accounts") {
          request.add_accounts(std::string(item));
        } else if (absl::Status added =
                       AddKind(std::string_view(item.data(), item.size()), &request);
                   !added.ok()) {
          return added;
        }
      }
    } else if (*name == "after_seq") {
      absl::StatusOr<uint64_t> seq = ParseSeq("after_seq", *value);
      if (!seq.ok()) return seq.status();
      request.set_after_seq(*seq);
    } else if (*name == "heartbeat_ms") {
      absl::StatusOr<uint64_t> ms = ParseSeq("heartbeat_ms", *value);
      if (!ms.ok()) return ms.status();
      if (*ms > uint64_t{24} * 3600 * 1000) {
        return absl::InvalidArgumentError("heartbeat_ms must be at most a day");
      }
      *request.mutable_heartbeat_interval() =
          google::protobuf::util::TimeUtil::MillisecondsToDuration(static_cast<int64_t>(*ms));
    } else if (*name == "log_id") {
      request.set_log_id(*value);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown parameter \"", name->substr(0, 64),
                       "\" (accounts, kinds, after_seq, heartbeat_ms, log_id)"));
    }
  }
  if (!last_event_id.empty()) {
    absl::StatusOr<uint64_t> seq = ParseSeq("Last-Event-ID", last_event_id);
    if (!seq.ok()) return seq.status();
    request.set_after_seq(*seq);
  }
  return request;
}

}  // namespace wxbridge::http
