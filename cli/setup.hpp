#pragma once
// Turns acmectl's flags into the library's configuration objects.

#include <memory>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/store.hpp"
#include "options.hpp"

namespace acmectl {

/// Opens the store named by --store.
std::shared_ptr<acmecpp::AcmeJsonStore> open_store(const GlobalOptions& options);

/// --resolver, else the store's only resolver, else "letsencrypt".
std::string choose_resolver(const GlobalOptions& options, const acmecpp::Store& store);

/// The manager configuration every command shares (no solvers).
acmecpp::ManagerConfig manager_config(const GlobalOptions& options,
                                      std::shared_ptr<acmecpp::Store> store);

/// A log sink writing "acmectl: level: message" lines to stderr, filtered by -v/-q.
acmecpp::LogSink stderr_log_sink(const GlobalOptions& options);

}  // namespace acmectl
