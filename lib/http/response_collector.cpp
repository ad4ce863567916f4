// SPDX-License-Identifier: Apache-2.0
#include "http/response_collector.hpp"

#include <string>

namespace acmecpp::http {

namespace {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::size_t ResponseCollector::on_header(char* data, std::size_t size, std::size_t count,
                                         void* userdata) noexcept {
  auto* self = static_cast<ResponseCollector*>(userdata);
  try {
    self->add_header_line(std::string_view(data, size * count));
    return size * count;
  } catch (...) {
    self->callback_failure_ = std::current_exception();
    return 0;
  }
}

std::size_t ResponseCollector::on_body(char* data, std::size_t size, std::size_t count,
                                       void* userdata) noexcept {
  auto* self = static_cast<ResponseCollector*>(userdata);
  try {
    return self->add_body(std::string_view(data, size * count)) ? size * count : 0;
  } catch (...) {
    self->callback_failure_ = std::current_exception();
    return 0;
  }
}

void ResponseCollector::add_header_line(std::string_view line) {
  const bool continuation = !line.empty() && (line.front() == ' ' || line.front() == '\t');
  line = trim(line);
  if (line.empty()) return;  // the blank line that ends a header block
  if (line.substr(0, 5) == "HTTP/") {
    // A status line starts a new response: whatever came before was an interim 1xx response.
    response_.headers.clear();
    return;
  }
  if (continuation) {
    // Obsolete line folding (RFC 9112 section 5.2): part of the previous header's value.
    if (!response_.headers.empty()) {
      response_.headers.back().second += ' ';
      response_.headers.back().second += line;
    }
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return;  // not a header; nothing to keep
  response_.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                 std::string(trim(line.substr(colon + 1))));
}

bool ResponseCollector::add_body(std::string_view chunk) {
  if (chunk.size() > max_body_bytes_ - response_.body.size()) {
    body_too_large_ = true;
    return false;
  }
  response_.body.append(chunk);
  return true;
}

}  // namespace acmecpp::http
