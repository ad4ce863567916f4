// SPDX-License-Identifier: Apache-2.0
#pragma once
// The DNS-01 solver acmectl's settings describe: a provider configured from --dns-option
// KEY=VALUE and the environment (lego's variable names), and the propagation check.

#include <memory>

#include "acmecpp/dns01.hpp"
#include "acmecpp/log.hpp"
#include "settings.hpp"

namespace acmectl {

/// Throws acmecpp::Error(config) naming the provider and the missing variable.
std::shared_ptr<acmecpp::Solver> make_dns01_solver(const Settings& settings, acmecpp::LogSink log);

}  // namespace acmectl
