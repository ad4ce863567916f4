#include "manager/authorization_flow.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <future>

#include "acmecpp/error.hpp"

namespace acmecpp::manager {
namespace {

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

/// Runs `step` on every item concurrently, waits for all, rethrows the first failure.
template <typename Item>
void for_each_concurrently(std::vector<Item*>& items, const std::function<void(Item&)>& step) {
  std::vector<std::future<void>> running;
  running.reserve(items.size());
  for (Item* item : items) running.push_back(std::async(std::launch::async, step, std::ref(*item)));
  std::exception_ptr first_error;
  for (auto& f : running) {
    try {
      f.get();
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

/// The solver for one authorization: the caller's choice for this name, else the most preferred
/// configured type that the server offers.
void choose_solver(Work& work, const SolverChoice& choice) {
  const auto& authz = work.authz;
  std::vector<Solver*> candidates;
  const auto wanted = choice.per_name.find(display_name(authz));
  for (const auto& solver : choice.solvers) {
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
          challenge->type, authz.identifier.value, authz.wildcard, challenge->token, {}};
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
                           (problem.detail.empty() ? "" : ": " + problem.detail),
                       problem);
}

/// Presents, waits, answers and polls the chosen challenges. Cleans up every presented one on
/// the way out, whatever happened.
void solve(acme::Client& client, std::vector<Work*>& pending, const Logger& log) {
  struct CleanupAll {
    std::vector<Work*>& items;
    ~CleanupAll() {
      for (Work* w : items) {
        if (w->presented) w->solver->cleanup(w->task);
      }
    }
  } cleanup{pending};

  for_each_concurrently<Work>(pending, [&log](Work& w) {
    log(LogLevel::info, "{}: presenting {}", display_name(w.authz), w.task.type);
    w.presented = true;  // cleanup must run even if present() fails half-way
    w.solver->present(w.task);
  });
  for_each_concurrently<Work>(pending, [](Work& w) { w.solver->wait_until_visible(w.task); });
  for_each_concurrently<Work>(pending, [&client, &log](Work& w) {
    client.answer_challenge(w.challenge_url);
    check_valid(w, client.wait_authorization(w.url));
    log(LogLevel::info, "{}: {} validated", display_name(w.authz), w.task.type);
  });
}

}  // namespace

void complete_authorizations(acme::Client& client, const acme::Order& order,
                             const SolverChoice& choice, const Logger& log) {
  if (choice.solvers.empty()) throw Error(ErrorKind::config, "no challenge solver configured");
  std::vector<Work> works(order.authorizations.size());
  std::vector<Work*> all;
  for (std::size_t i = 0; i < works.size(); ++i) {
    works[i].url = order.authorizations[i];
    all.push_back(&works[i]);
  }
  for_each_concurrently<Work>(all,
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
    pending.push_back(w);
  }
  if (!pending.empty()) solve(client, pending, log);
}

}  // namespace acmecpp::manager
