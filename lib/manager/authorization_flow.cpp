// SPDX-License-Identifier: Apache-2.0
#include "manager/authorization_flow.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <future>

#include "acmecpp/error.hpp"
#include "acmecpp/names.hpp"
#include "acmecpp/printable.hpp"
#include "core/ip_address.hpp"

namespace acmecpp::manager {
namespace {

/// ACME requests of one order in flight at once. A few overlap the round trips; more would not
/// go faster but cost: each request in flight holds a connection (the transport keeps four) and
/// a nonce (the first requests of a burst fetch theirs from newNonce, later ones reuse those
/// that responses bring).
constexpr std::size_t kParallelRequests = 4;

/// Solver steps may wait on slow outside services (DNS APIs, propagation): all run at once.
constexpr std::size_t kAllAtOnce = 0;

/// One authorization on its way: what the server said and, once chosen, how it is solved.
struct Work {
  std::string url;
  acme::Authorization authz;
  Solver* solver = nullptr;
  std::string challenge_url;
  ChallengeTask task;
  bool presented = false;
};

std::string display_name(const acme::Authorization& authz) {
  return (authz.wildcard ? "*." : "") + authz.identifier.value;
}

int rank(const std::vector<std::string>& preference, const std::string& type) {
  const auto it = std::find(preference.begin(), preference.end(), type);
  return int(it - preference.begin());
}

std::string join_types(const std::vector<acme::Challenge>& challenges) {
  std::string text;
  for (const auto& c : challenges) text += (text.empty() ? "" : ", ") + c.type;
  return text;
}

/// Runs `step` on every item, at most `max_parallel` at once (kAllAtOnce: no limit), waits for
/// all, and rethrows the failure of the first item (in the items' order) that failed.
template <typename Item>
void for_each_concurrently(std::vector<Item*>& items, std::size_t max_parallel,
                           const std::function<void(Item&)>& step) {
  std::vector<std::exception_ptr> errors(items.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < items.size(); i = next++) {
      try {
        step(*items[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const std::size_t workers =
      max_parallel == kAllAtOnce ? items.size() : std::min(items.size(), max_parallel);
  std::vector<std::future<void>> running;
  running.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w)
    running.push_back(std::async(std::launch::async, worker));
  for (auto& f : running) f.get();  // the worker catches everything
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

/// The challenge types RFC 8738 section 7 allows for an IP identifier.
bool validates_ips(const std::string& type) {
  return type == "http-01" || type == "tls-alpn-01";
}

/// The solver for one authorization: the caller's choice for this name, else the most preferred
/// configured type that the server offers.
void choose_solver(Work& work, const SolverChoice& choice) {
  const auto& authz = work.authz;
  std::vector<Solver*> candidates;
  const bool ip = authz.identifier.type == "ip";
  // per_name holds IP addresses in canonical text; a server may write them otherwise.
  const auto wanted = choice.per_name.find(
      ip ? core::canonical_ip_address(authz.identifier.value).value_or(authz.identifier.value)
         : display_name(authz));
  for (const auto& solver : choice.solvers) {
    if (ip && !validates_ips(solver->type())) continue;
    if (wanted == choice.per_name.end() || solver->type() == wanted->second) {
      candidates.push_back(solver.get());
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&choice](Solver* a, Solver* b) {
    return rank(choice.preference, a->type()) < rank(choice.preference, b->type());
  });
  for (Solver* solver : candidates) {
    if (const auto* challenge = authz.find_challenge(solver->type())) {
      work.solver = solver;
      work.challenge_url = challenge->url;
      work.task = ChallengeTask{
          challenge->type, authz.identifier.value, authz.wildcard, challenge->token, {}, {}};
      return;
    }
  }
  std::string configured;
  for (const auto& s : choice.solvers) configured += (configured.empty() ? "" : ", ") + s->type();
  throw ChallengeError("no usable solver for " + display_name(authz) + ": the server offers [" +
                       join_types(authz.challenges) + "], configured are [" + configured + "]" +
                       (wanted != choice.per_name.end() ? ", asked for " + wanted->second : ""));
}

/// The problem that explains an invalid authorization: its challenge's error if any.
Problem failure_problem(const acme::Authorization& authz, const std::string& challenge_type) {
  for (const auto& c : authz.challenges) {
    if (c.type == challenge_type && c.error) return *c.error;
  }
  for (const auto& c : authz.challenges) {
    if (c.error) return *c.error;
  }
  return Problem{};
}

void check_valid(const Work& work, const acme::Authorization& result) {
  if (result.status == "valid") return;
  const Problem problem = failure_problem(result, work.task.type);
  throw ChallengeError(work.task.type + " for " + display_name(work.authz) + " failed" +
                           (problem.detail.empty() ? "" : ": " + printable_text(problem.detail)),
                       problem);
}

/// Waits until the server has judged every answered challenge, with one poll loop for them all:
/// the order, which is "ready" once every authorization is valid and "invalid" as soon as one
/// failed. Only then are the authorizations fetched, to tell which failed and why.
void await_validation(acme::Client& client, const std::string& order_url,
                      std::vector<Work*>& pending) {
  const acme::Order order = client.wait_order(order_url);
  if (order.status == "ready" || order.status == "valid") return;
  for_each_concurrently<Work>(pending, kParallelRequests,
                              [&client](Work& w) { w.authz = client.get_authorization(w.url); });
  // The authorization the server failed explains the order; one still pending does not.
  for (const Work* w : pending) {
    if (w->authz.status != "valid" && w->authz.status != "pending") check_valid(*w, w->authz);
  }
  throw AcmeError("order " + order_url + " is " + order.status + " after its challenges",
                  order.error.value_or(Problem{}));
}

/// Presents, waits, answers and awaits the chosen challenges. Cleans up every presented one on
/// the way out, whatever happened.
void solve(acme::Client& client, const std::string& order_url, std::vector<Work*>& pending,
           const Logger& log) {
  struct CleanupAll {
    std::vector<Work*>& items;
    ~CleanupAll() {
      for (Work* w : items) {
        if (w->presented) w->solver->cleanup(w->task);
      }
    }
  } cleanup{pending};

  for_each_concurrently<Work>(pending, kAllAtOnce, [&log](Work& w) {
    log(LogLevel::info, "{}: presenting {}", display_name(w.authz), w.task.type);
    w.presented = true;  // cleanup must run even if present() fails half-way
    w.solver->present(w.task);
  });
  for_each_concurrently<Work>(pending, kAllAtOnce,
                              [](Work& w) { w.solver->wait_until_visible(w.task); });
  for_each_concurrently<Work>(pending, kParallelRequests,
                              [&client](Work& w) { client.answer_challenge(w.challenge_url); });
  log(LogLevel::debug, "{} challenge(s) answered; waiting for the server", pending.size());
  await_validation(client, order_url, pending);
  for (const Work* w : pending) {
    log(LogLevel::info, "{}: {} validated", display_name(w->authz), w->task.type);
  }
}

}  // namespace

void require_solvers_for_ips(const std::vector<std::string>& names, const SolverChoice& choice) {
  const bool any_fits =
      std::any_of(choice.solvers.begin(), choice.solvers.end(),
                  [](const auto& solver) { return validates_ips(solver->type()); });
  for (const auto& name : names) {
    if (!is_ip_address(name)) continue;
    const auto wanted = choice.per_name.find(name);
    const std::string asked = wanted == choice.per_name.end() ? "" : wanted->second;
    if (asked == "dns-01" || (!any_fits && asked.empty())) {
      throw Error(ErrorKind::config,
                  "the IP address " + name +
                      " cannot be validated with DNS-01: an IP address is validated by "
                      "http-01 or tls-alpn-01 only (RFC 8738); configure one of them for it");
    }
  }
}

void complete_authorizations(acme::Client& client, const acme::Order& order,
                             const SolverChoice& choice, const Logger& log) {
  if (choice.solvers.empty()) throw Error(ErrorKind::config, "no challenge solver configured");
  std::vector<Work> works(order.authorizations.size());
  std::vector<Work*> all;
  for (std::size_t i = 0; i < works.size(); ++i) {
    works[i].url = order.authorizations[i];
    all.push_back(&works[i]);
  }
  for_each_concurrently<Work>(all, kParallelRequests,
                              [&client](Work& w) { w.authz = client.get_authorization(w.url); });

  std::vector<Work*> pending;
  for (Work* w : all) {
    if (w->authz.status == "valid") {
      log(LogLevel::debug, "{}: authorization already valid", display_name(w->authz));
      continue;
    }
    if (w->authz.status != "pending") {
      throw ChallengeError("authorization for " + display_name(w->authz) + " is " + w->authz.status,
                           failure_problem(w->authz, ""));
    }
    choose_solver(*w, choice);
    w->task.key_authorization = client.key_authorization(w->task.token);
    w->task.stop = client.stop_token();
    pending.push_back(w);
  }
  if (!pending.empty()) solve(client, order.url, pending, log);
}

}  // namespace acmecpp::manager
