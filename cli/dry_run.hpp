// SPDX-License-Identifier: Apache-2.0
#pragma once
// --dry-run of issue and renew: the whole exchange with a CA, by default Let's Encrypt's staging
// CA (or --server), and nothing stored. The command works on a store in memory that starts as a
// copy of the resolver's certificates (and of its account when that belongs to the same server);
// the real store is only read. Deploy and failure hooks and exports do not run, as with
// certbot's dry run; the resolver's server is neither checked nor recorded (bind_resolver_server).

#include "setup.hpp"

namespace acmectl {

/// The context of a dry run of `real`: the staging server unless --server names one; hooks and
/// exports off; the store an in-memory copy of the resolver's certificates, with its account only
/// when the real section belongs to the same server (else a new account is registered in memory;
/// an operator who has an account has agreed to a CA's terms once, so --agree-tos is assumed).
Context dry_run_context(const Context& real);

/// The context of a command that talks to the CA: a dry run's (above) when `dry_run`, else
/// open_ca_context()'s (the resolver tied to its server).
Context open_command_context(const SettingsSource& source, bool dry_run);

/// The closing line of a dry run on stdout: which server, and that nothing was stored.
void say_dry_run_done(const Context& dry);

}  // namespace acmectl
