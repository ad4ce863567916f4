// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a new order asks for beyond its names: the configured profile, checked against the ones
// the directory offers (draft-ietf-acme-profiles).

#include <string>

#include "acmecpp/acme_client.hpp"

namespace acmecpp::manager {

/// Options carrying `profile` (none when it is empty). Throws Error(config) when the directory
/// does not offer it, naming the profiles it does offer.
acme::OrderOptions order_options_for(const acme::Directory& directory, const std::string& profile);

}  // namespace acmecpp::manager
