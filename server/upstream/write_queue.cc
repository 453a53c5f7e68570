#include "server/upstream/write_queue.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace wxbridge::upstream {

absl::Status WriteQueue::Push(uint64_t token, std::shared_ptr<const std::string> frame,
                              bool first) {
  const std::size_t size = frame ? frame->size() : 0;
  if (bytes() + size > max_bytes_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the gateway write queue is full (", entries_.size(), " frames, ", bytes(),
        " bytes waiting; this frame has ", size, " bytes; limit --max_queue_bytes=", max_bytes_,
        "): the gateway is not reading fast enough"));
  }
  if (by_token_.count(token)) {
    return absl::AlreadyExistsError(absl::StrCat("frame ", token, " is queued already"));
  }
  auto where = entries_.begin();
  if (!first) {
    where = entries_.end();
  } else if (where != entries_.end() && where->in_flight) {
    ++where;
  }
  auto it = entries_.insert(where, Entry{token, std::move(frame), false});
  by_token_[token] = it;
  bytes_.fetch_add(size, std::memory_order_relaxed);
  size_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

bool WriteQueue::Remove(uint64_t token) {
  auto found = by_token_.find(token);
  if (found == by_token_.end() || found->second->in_flight) return false;
  Erase(found->second);
  return true;
}

const WriteQueue::Entry& WriteQueue::StartWrite() {
  Entry& front = entries_.front();
  front.in_flight = true;
  return front;
}

uint64_t WriteQueue::FinishWrite() {
  const uint64_t token = entries_.front().token;
  written_bytes_.fetch_add(entries_.front().frame->size(), std::memory_order_relaxed);
  Erase(entries_.begin());
  return token;
}

std::optional<uint64_t> WriteQueue::InterruptWrite(bool keep) {
  if (entries_.empty() || !entries_.front().in_flight) return std::nullopt;
  const uint64_t token = entries_.front().token;
  if (keep) {
    entries_.front().in_flight = false;
  } else {
    Erase(entries_.begin());
  }
  return token;
}

std::optional<uint64_t> WriteQueue::in_flight() const {
  if (entries_.empty() || !entries_.front().in_flight) return std::nullopt;
  return entries_.front().token;
}

void WriteQueue::Clear() {
  entries_.clear();
  by_token_.clear();
  bytes_.store(0, std::memory_order_relaxed);
  size_.store(0, std::memory_order_relaxed);
}

void WriteQueue::Erase(List::iterator it) {
  bytes_.fetch_sub(it->frame ? it->frame->size() : 0, std::memory_order_relaxed);
  size_.fetch_sub(1, std::memory_order_relaxed);
  by_token_.erase(it->token);
  entries_.erase(it);
}

}  // namespace wxbridge::upstream
