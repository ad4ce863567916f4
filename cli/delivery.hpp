// SPDX-License-Identifier: Apache-2.0
#pragma once
// What happens after a certificate was issued or renewed, or failed to be: the export the
// settings ask for, then the operator's hook. A hook failure is reported, never undoes anything.

#include <optional>

#include "acmecpp/events.hpp"
#include "acmecpp/store.hpp"
#include "settings.hpp"

namespace acmectl {

/// Exports (success only, when --export-dir is set; the traefik format also rewrites its dynamic
/// file from `store`'s certificates of the event's resolver) and runs the matching hook. Returns
/// false when the hook could not be started, failed or timed out (reported on stderr); true
/// otherwise, also with no hook. Only the export throws (its storage error); a hook never does.
bool deliver(const Settings& settings, const acmecpp::CertificateEvent& event,
             const acmecpp::CertificateRecord* record, const acmecpp::Store& store);

}  // namespace acmectl
