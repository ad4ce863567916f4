// SPDX-License-Identifier: Apache-2.0
#include "http/http_listener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>
#include <vector>

namespace acmecpp::http {
namespace {

using Clock = std::chrono::steady_clock;

// After its reply a connection is half-closed, and what the client still sends is read and
// dropped until it closes or this much time has passed: closing a socket with unread input makes
// the kernel send a reset, which can destroy a reply (a 431, say) before the client has read it.
constexpr std::chrono::milliseconds kLingerTime{1000};
// accept() failing for want of descriptors or memory leaves the listening socket readable, so
// poll would report it again at once; it is left out of the poll for this long instead.
constexpr std::chrono::milliseconds kAcceptPause{50};
// Drained input is read at most this many chunks at a time, so that a client sending without
// end cannot keep the thread from the other connections.
constexpr int kDrainChunksPerTurn = 16;
constexpr std::size_t kChunkBytes = 4096;

bool would_block(int error) {
  return error == EAGAIN || error == EWOULDBLOCK;
}

core::UniqueFd make_wake_fd() {
  core::UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) throw std::system_error(errno, std::generic_category(), "eventfd");
  return wake;
}

// ---- requests and replies ------------------------------------------------------------------

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

/// Visible ASCII only: no spaces, control characters or bytes above 0x7e.
bool is_target(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

bool is_http1_version(std::string_view text) {
  return text.size() == 8 && text.substr(0, 7) == "HTTP/1." && text[7] >= '0' && text[7] <= '9';
}

/// METHOD SP TARGET SP HTTP/1.x (RFC 9112 section 3), or nothing when the line is not that.
std::optional<ServerRequest> parse_request_line(std::string_view line) {
  const auto first = line.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto method = line.substr(0, first);
  const auto target = line.substr(first + 1, second - first - 1);
  if (!is_token(method) || !is_target(target) || !is_http1_version(line.substr(second + 1))) {
    return std::nullopt;
  }
  return ServerRequest{std::string(method), std::string(target)};
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";  // the reason phrase may be empty (RFC 9112 section 4)
  }
}

/// The listener's own answers: the reason phrase as a short text body.
ServerReply error_reply(int status) {
  return {status, "text/plain", std::string(reason_phrase(status)) + "\n"};
}

/// The whole response. `extra_headers` are complete lines ("Name: value\r\n").
std::string serialize(const ServerReply& reply, bool with_body,
                      std::string_view extra_headers = {}) {
  std::string out =
      "HTTP/1.1 " + std::to_string(reply.status) + " " + reason_phrase(reply.status) + "\r\n";
  if (!reply.content_type.empty()) out += "Content-Type: " + reply.content_type + "\r\n";
  out += extra_headers;
  out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  if (with_body) out += reply.body;
  return out;
}

/// The handler's reply, or a 500 when it throws or returns what cannot be sent as it is.
ServerReply call_handler(const RequestHandler& handler, const ServerRequest& request) {
  try {
    ServerReply reply = handler(request);
    const bool line_break = reply.content_type.find_first_of("\r\n") != std::string::npos;
    if (reply.status < 200 || reply.status > 599 || line_break) return error_reply(500);
    return reply;
  } catch (...) {
    // The exception's text may name anything (paths, tokens): the client learns nothing of it.
    return error_reply(500);
  }
}

}  // namespace

std::string respond_to_head(std::string_view head, const RequestHandler& handler) {
  const auto request = parse_request_line(head.substr(0, head.find("\r\n")));
  if (!request) return serialize(error_reply(400), true);
  if (request->method != "GET" && request->method != "HEAD") {
    return serialize(error_reply(405), true, "Allow: GET, HEAD\r\n");
  }
  return serialize(call_handler(handler, *request), request->method == "GET");
}

namespace {

// ---- connections ---------------------------------------------------------------------------

/// One client: its head is read, answered, the reply written, then the input drained until the
/// client closes. Every step goes as far as the socket allows without blocking and picks up
/// again when poll reports the socket ready.
class Connection {
 public:
  Connection(core::UniqueFd socket, Clock::time_point deadline)
      : socket_(std::move(socket)), deadline_(deadline) {}

  int fd() const { return socket_.get(); }
  short events() const { return state_ == State::writing ? POLLOUT : POLLIN; }
  Clock::time_point deadline() const { return deadline_; }
  bool closed() const { return state_ == State::closed; }

  /// The socket is ready (or has failed: the next read or write says so).
  void advance(const RequestHandler& handler, const ListenerLimits& limits) {
    switch (state_) {
      case State::reading:
        return read_head(handler, limits);
      case State::writing:
        return write_reply();
      case State::draining:
        return drain();
      case State::closed:
        return;
    }
  }

  /// The deadline has passed: a request still incomplete gets a 408 (with a short time of its
  /// own to be written), anything else is closed.
  void expire() {
    if (state_ != State::reading) return close();
    deadline_ = Clock::now() + kLingerTime;
    start_reply(serialize(error_reply(408), true));
  }

 private:
  enum class State { reading, writing, draining, closed };

  void read_head(const RequestHandler& handler, const ListenerLimits& limits);
  void start_reply(std::string reply);
  void write_reply();
  void drain();
  void close() {
    socket_.reset();
    state_ = State::closed;
  }

  core::UniqueFd socket_;
  Clock::time_point deadline_;
  State state_ = State::reading;
  std::string head_;  // received so far, while reading
  std::string reply_;
  std::size_t written_ = 0;
};

void Connection::read_head(const RequestHandler& handler, const ListenerLimits& limits) {
  char buffer[kChunkBytes];
  for (;;) {
    // Never more than one byte past the limit: enough to know that it is exceeded.
    const std::size_t room = std::min(sizeof buffer, limits.max_head_bytes + 1 - head_.size());
    const ssize_t got = recv(fd(), buffer, room, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && would_block(errno)) return;
    if (got <= 0) return close();  // gone (or failed) before its request was complete
    // The end may straddle what was there and what came: look from three bytes back.
    const std::size_t search_from = head_.size() < 3 ? 0 : head_.size() - 3;
    head_.append(buffer, static_cast<std::size_t>(got));
    const auto end = head_.find("\r\n\r\n", search_from);
    if (end != std::string::npos && end + 4 <= limits.max_head_bytes) {
      return start_reply(respond_to_head(std::string_view(head_).substr(0, end), handler));
    }
    if (head_.size() > limits.max_head_bytes) {
      return start_reply(serialize(error_reply(431), true));
    }
  }
}

void Connection::start_reply(std::string reply) {
  head_ = std::string();
  reply_ = std::move(reply);
  written_ = 0;
  state_ = State::writing;
  write_reply();
}

void Connection::write_reply() {
  while (written_ < reply_.size()) {
    // MSG_NOSIGNAL: a client gone away must not raise SIGPIPE, which would end the process.
    const ssize_t sent =
        send(fd(), reply_.data() + written_, reply_.size() - written_, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && would_block(errno)) return;  // poll reports POLLOUT when there is room
    if (sent < 0) return close();
    written_ += static_cast<std::size_t>(sent);
  }
  reply_ = std::string();
  // The FIN tells the client at once that the reply is complete; see kLingerTime for why the
  // socket stays open a little longer.
  shutdown(fd(), SHUT_WR);
  state_ = State::draining;
  deadline_ = std::min(deadline_, Clock::now() + kLingerTime);
  drain();
}

void Connection::drain() {
  char buffer[kChunkBytes];
  for (int chunk = 0; chunk < kDrainChunksPerTurn; ++chunk) {
    const ssize_t got = recv(fd(), buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && would_block(errno)) return;
    if (got <= 0) return close();  // the client has closed too: done
  }
}

// ---- the loop ------------------------------------------------------------------------------

bool is_transient_accept_error(int error) {
  // accept(2): errors already pending on the new connection are reported by accept on Linux;
  // that connection is gone, the next one may be fine.
  switch (error) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

/// Milliseconds until `when` for poll(), rounded up so that poll never wakes just before it.
int poll_timeout_until(Clock::time_point when) {
  if (when == Clock::time_point::max()) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(when - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000));
}

/// Runs on the listener's thread; owns every connection.
class ServeLoop {
 public:
  ServeLoop(int listen_fd, int wake_fd, const RequestHandler& handler, const ListenerLimits& limits)
      : listen_fd_(listen_fd), wake_fd_(wake_fd), handler_(handler), limits_(limits) {
    limits_.max_connections = std::max<std::size_t>(limits_.max_connections, 1);
  }

  /// Until the wake descriptor becomes readable; the connections close with this object.
  void run();

 private:
  bool accepting(Clock::time_point now) const {
    return connections_.size() < limits_.max_connections && now >= accept_paused_until_;
  }
  std::vector<pollfd> watch_list() const;
  Clock::time_point next_deadline() const;
  void serve_ready(const std::vector<pollfd>& watched);
  void expire_overdue();
  void accept_pending();

  const int listen_fd_;
  const int wake_fd_;
  const RequestHandler& handler_;
  ListenerLimits limits_;
  std::vector<Connection> connections_;
  Clock::time_point accept_paused_until_{};
};

void ServeLoop::run() {
  for (;;) {
    std::vector<pollfd> watched = watch_list();
    const int ready = poll(watched.data(), watched.size(), poll_timeout_until(next_deadline()));
    if (ready < 0) {
      // EINTR: again. Anything else (ENOMEM) would fail again at once: pause first.
      if (errno != EINTR) std::this_thread::sleep_for(kAcceptPause);
      continue;
    }
    if (watched[0].revents != 0) return;
    serve_ready(watched);
    expire_overdue();
    connections_.erase(std::remove_if(connections_.begin(), connections_.end(),
                                      [](const Connection& c) { return c.closed(); }),
                       connections_.end());
    if (watched[1].revents != 0) accept_pending();
  }
}

/// [0] the wake descriptor, [1] the listening socket, then one entry per connection in order.
std::vector<pollfd> ServeLoop::watch_list() const {
  std::vector<pollfd> watched;
  watched.reserve(connections_.size() + 2);
  watched.push_back({wake_fd_, POLLIN, 0});
  // A negative descriptor is ignored by poll: at the limit, new connections wait in the backlog.
  watched.push_back({accepting(Clock::now()) ? listen_fd_ : -1, POLLIN, 0});
  for (const auto& connection : connections_) {
    watched.push_back({connection.fd(), connection.events(), 0});
  }
  return watched;
}

Clock::time_point ServeLoop::next_deadline() const {
  auto next = Clock::time_point::max();
  for (const auto& connection : connections_) next = std::min(next, connection.deadline());
  if (accept_paused_until_ > Clock::now()) next = std::min(next, accept_paused_until_);
  return next;
}

void ServeLoop::serve_ready(const std::vector<pollfd>& watched) {
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    if (watched[i + 2].revents != 0) connections_[i].advance(handler_, limits_);
  }
}

void ServeLoop::expire_overdue() {
  const auto now = Clock::now();
  for (auto& connection : connections_) {
    if (!connection.closed() && now >= connection.deadline()) connection.expire();
  }
}

void ServeLoop::accept_pending() {
  while (accepting(Clock::now())) {
    core::UniqueFd client(accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client) {
      if (is_transient_accept_error(errno)) continue;
      if (!would_block(errno)) accept_paused_until_ = Clock::now() + kAcceptPause;
      return;
    }
    // The reply goes out in one send followed by a FIN; Nagle would only hold back its tail.
    const int yes = 1;
    setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    connections_.emplace_back(std::move(client), Clock::now() + limits_.request_timeout);
    // Usually the request is already there: answer without another round through poll.
    connections_.back().advance(handler_, limits_);
    if (connections_.back().closed()) connections_.pop_back();
  }
}

}  // namespace

HttpListener::HttpListener(const std::string& host, std::uint16_t port, RequestHandler handler,
                           ListenerLimits limits)
    : listening_(core::listen_tcp(host, port, core::ListenHost::numeric_or_name)),
      wake_(make_wake_fd()) {
  thread_ = std::thread([listen_fd = listening_.fd.get(), wake_fd = wake_.get(),
                         handler = std::move(handler), limits]() noexcept {
    // The handler's exceptions become 500s; what else may throw is memory running out. Then the
    // connections in hand are dropped (with the loop) and serving starts afresh after a pause,
    // rather than the exception reaching std::terminate. The wake descriptor stays readable
    // once written, so a stop during the pause ends the next loop at once.
    for (;;) {
      try {
        ServeLoop(listen_fd, wake_fd, handler, limits).run();
        return;
      } catch (...) {
        std::this_thread::sleep_for(kAcceptPause);
      }
    }
  });
}

HttpListener::~HttpListener() {
  const std::uint64_t one = 1;
  // An eventfd's counter cannot overflow from one write, so only EINTR can get in the way.
  while (write(wake_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
  thread_.join();
}

}  // namespace acmecpp::http
