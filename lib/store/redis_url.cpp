// SPDX-License-Identifier: Apache-2.0
// RedisOptions from and to a URL: redis://[user[:password]@]host[:port][/db][?prefix=P] and
// redis+unix://[user[:password]@]/path/to/socket[?db=N&prefix=P]. The password never reaches a
// message: every message names the URL as printable_url() or mask_url() prints it.

#include <cctype>
#include <string>
#include <string_view>

#include "acmecpp/error.hpp"
#include "acmecpp/redis_store.hpp"

namespace acmecpp {
namespace {

constexpr std::string_view kTcpScheme = "redis://";
constexpr std::string_view kUnixScheme = "redis+unix://";
constexpr std::string_view kMask = "***";

bool starts_with(std::string_view text, std::string_view start) {
  return text.substr(0, start.size()) == start;
}

/// The URL as given, with whatever follows the first ':' of its user information masked.
std::string mask_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto rest_start = scheme_end + 3;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < rest_start) return std::string(url);
  const auto colon = url.find(':', rest_start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + std::string(kMask) + std::string(url.substr(at));
}

[[noreturn]] void refuse(std::string_view url, const std::string& problem) {
  throw Error(ErrorKind::invalid_input, "invalid Redis URL \"" + mask_url(url) + "\": " + problem);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view url, std::string_view text, const char* what) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) refuse(url, std::string("bad percent-encoding in the ") + what);
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += hex[u >> 4];
      encoded += hex[u & 0xf];
    }
  }
  return encoded;
}

/// A decimal number from `min` to `max`, or nullopt.
std::optional<long> decimal(std::string_view text, long min, long max) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  long value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < min || value > max) return std::nullopt;
  return value;
}

constexpr long kMaxDb = 1000000;

int parse_db(std::string_view url, std::string_view text) {
  const auto db = decimal(text, 0, kMaxDb);
  if (!db) refuse(url, "the database must be a number from 0 to " + std::to_string(kMaxDb));
  return static_cast<int>(*db);
}

bool valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 64) return false;
  for (const char c : prefix) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

/// user[:password] before '@', percent-decoded.
void parse_user_info(std::string_view url, std::string_view info, RedisOptions& options) {
  const auto colon = info.find(':');
  options.user = percent_decode(url, info.substr(0, colon), "user");
  if (colon != std::string_view::npos) {
    options.password = percent_decode(url, info.substr(colon + 1), "password");
  }
}

/// "db=N&prefix=P"; `db_allowed` is false when the path named the database already.
void parse_query(std::string_view url, std::string_view query, bool db_allowed,
                 RedisOptions& options) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos)
      refuse(url, "\"" + std::string(item) + "\" is not NAME=VALUE");
    const std::string_view name = item.substr(0, eq);
    const std::string value = percent_decode(url, item.substr(eq + 1), "query");
    if (name == "prefix") {
      if (!valid_prefix(value)) {
        refuse(url, "the prefix must be 1 to 64 letters, digits, '-', '_' or '.'");
      }
      options.prefix = value;
    } else if (name == "db" && db_allowed) {
      options.db = parse_db(url, value);
    } else if (name == "db") {
      refuse(url, "the database is given twice (path and \"db=\")");
    } else {
      refuse(url, "unknown parameter \"" + std::string(name) + "\" (known: db, prefix)");
    }
  }
}

}  // namespace

bool is_redis_url(std::string_view store) {
  return starts_with(store, kTcpScheme) || starts_with(store, kUnixScheme);
}

RedisOptions parse_redis_url(const std::string& url) {
  RedisOptions options;
  const bool unix_socket = starts_with(url, kUnixScheme);
  if (!unix_socket && !starts_with(url, kTcpScheme)) {
    refuse(url, "it must start with redis:// or redis+unix://");
  }
  std::string_view rest(url);
  rest.remove_prefix(unix_socket ? kUnixScheme.size() : kTcpScheme.size());
  std::string_view query;
  if (const auto question = rest.find('?'); question != std::string_view::npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  if (rest.find('#') != std::string_view::npos) refuse(url, "a fragment ('#') is not allowed");
  // The user information ends at the last '@' (a password may hold '@' only percent-encoded,
  // but taking the last one is what other clients do too).
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    parse_user_info(url, rest.substr(0, at), options);
    rest = rest.substr(at + 1);
  }

  if (unix_socket) {
    if (rest.empty() || rest.front() != '/') {
      refuse(url, "a redis+unix URL names an absolute socket path: redis+unix:///path/to/socket");
    }
    options.unix_socket = percent_decode(url, rest, "path");
    parse_query(url, query, true, options);
    return options;
  }

  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) refuse(url, "an IPv6 host lacks its closing ']'");
    options.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') refuse(url, "unexpected text after the IPv6 host");
    if (!after.empty()) port_text = after.substr(1);
    if (options.host.empty()) refuse(url, "the host is empty");
  } else {
    const auto colon = authority.find(':');
    options.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (options.host.empty()) refuse(url, "the host is empty");
    for (const char c : options.host) {
      const auto u = static_cast<unsigned char>(c);
      if (!std::isalnum(u) && c != '-' && c != '.' && c != '_') {
        refuse(url, "the host holds a character a host name cannot hold");
      }
    }
  }
  if (authority.find(':') != std::string_view::npos || !port_text.empty()) {
    const auto port = decimal(port_text, 1, 65535);
    if (!port) refuse(url, "the port must be a number from 1 to 65535");
    options.port = static_cast<std::uint16_t>(*port);
  }
  const bool has_db = !path.empty();
  if (has_db) options.db = parse_db(url, path);
  parse_query(url, query, !has_db, options);
  return options;
}

std::string RedisOptions::printable_url() const {
  std::string url(unix_socket.empty() ? kTcpScheme : kUnixScheme);
  if (!user.empty() || !password.empty()) {
    url += percent_encode(user);
    if (!password.empty()) url += ":" + std::string(kMask);
    url += '@';
  }
  if (unix_socket.empty()) {
    url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    url += ":" + std::to_string(port) + "/" + std::to_string(db) + "?prefix=" + prefix;
  } else {
    url += unix_socket + "?db=" + std::to_string(db) + "&prefix=" + prefix;
  }
  return url;
}

}  // namespace acmecpp
