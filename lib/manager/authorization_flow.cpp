#include "manager/authorization_flow.hpp"

#include <exception>
#include <future>

#include "acmecpp/error.hpp"

namespace acmecpp::manager {
namespace {

std::string display_name(const acme::Authorization& authz) {
  return (authz.wildcard ? "*." : "") + authz.identifier.value;
}

/// The first configured solver whose challenge type the server offers for this authorization.
std::pair<Solver*, const acme::Challenge*> choose(
    const acme::Authorization& authz, const std::vector<std::shared_ptr<Solver>>& solvers) {
  for (const auto& solver : solvers) {
    if (const auto* challenge = authz.find_challenge(solver->type()))
      return {solver.get(), challenge};
  }
  std::string offered;
  for (const auto& c : authz.challenges) offered += (offered.empty() ? "" : ", ") + c.type;
  std::string configured;
  for (const auto& s : solvers) configured += (configured.empty() ? "" : ", ") + s->type();
  throw ChallengeError("no configured solver for " + display_name(authz) + ": the server offers [" +
                       offered + "], configured are [" + configured + "]");
}

/// Withdraws a presented challenge when the scope ends, whatever happened.
class CleanupGuard {
 public:
  CleanupGuard(Solver& solver, const ChallengeTask& task) : solver_(solver), task_(task) {}
  ~CleanupGuard() { solver_.cleanup(task_); }
  CleanupGuard(const CleanupGuard&) = delete;
  CleanupGuard& operator=(const CleanupGuard&) = delete;

 private:
  Solver& solver_;
  const ChallengeTask& task_;
};

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

void complete_one(acme::Client& client, const std::string& url,
                  const std::vector<std::shared_ptr<Solver>>& solvers, const Logger& log) {
  const auto authz = client.get_authorization(url);
  if (authz.status == "valid") {
    log(LogLevel::debug, "{}: authorization already valid", display_name(authz));
    return;
  }
  if (authz.status != "pending") {
    throw ChallengeError("authorization for " + display_name(authz) + " is " + authz.status);
  }
  auto [solver, challenge] = choose(authz, solvers);
  const ChallengeTask task{challenge->type, authz.identifier.value, authz.wildcard,
                           challenge->token, client.key_authorization(challenge->token)};
  log(LogLevel::info, "{}: presenting {}", display_name(authz), task.type);
  solver->present(task);
  CleanupGuard cleanup(*solver, task);
  client.answer_challenge(challenge->url);
  const auto result = client.wait_authorization(url);
  if (result.status != "valid") {
    const Problem problem = failure_problem(result, task.type);
    throw ChallengeError(task.type + " for " + display_name(authz) + " failed" +
                             (problem.detail.empty() ? "" : ": " + problem.detail),
                         problem);
  }
  log(LogLevel::info, "{}: {} validated", display_name(authz), task.type);
}

}  // namespace

void complete_authorizations(acme::Client& client, const acme::Order& order,
                             const std::vector<std::shared_ptr<Solver>>& solvers,
                             const Logger& log) {
  if (solvers.empty()) throw Error(ErrorKind::config, "no challenge solver configured");
  std::vector<std::future<void>> running;
  running.reserve(order.authorizations.size());
  for (const auto& url : order.authorizations) {
    running.push_back(std::async(std::launch::async, [&client, url, &solvers, &log] {
      complete_one(client, url, solvers, log);
    }));
  }
  // Wait for all before reporting, so no worker outlives the solvers it uses.
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

}  // namespace acmecpp::manager
