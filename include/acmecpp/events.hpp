// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// What CertManager tells the embedding program when a certificate was issued, renewed, or
/// could not be (ManagerConfig::on_event); acmectl's exec hooks receive the same.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acmecpp/api.hpp"

namespace acmecpp {

struct CertificateRecord;

enum class CertificateEventType { issued, renewed, failed };

/// "issued", "renewed", "failed" (the value of ACMECPP_EVENT).
ACMECPP_API std::string_view to_string(CertificateEventType type);

struct ACMECPP_API CertificateEvent {
  CertificateEventType type = CertificateEventType::issued;
  std::vector<std::string> names;  ///< main name first
  std::string resolver;            ///< the store section (Traefik's resolver name)
  /// The new certificate's expiry (issued, renewed); unset for failures.
  std::optional<std::chrono::system_clock::time_point> not_after;
  std::string error;  ///< why it failed (failed only); never holds secrets
  /// The certificate as stored (issued, renewed), valid during the callback only; null for
  /// failures.
  const CertificateRecord* certificate = nullptr;
};

/// Called on the thread that ran obtain()/renew(); an exception it throws is caught and logged,
/// so a broken callback cannot turn a stored certificate into a reported failure.
using CertificateEventCallback = std::function<void(const CertificateEvent&)>;

}  // namespace acmecpp
