// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Part of the tools layer (lib/tools): acmectl's own code, never installed (see exec_hooks.hpp).
///
/// Finding a running Traefik that uses an acme.json as its ACME storage. Traefik reads its
/// storage once at start and rewrites the whole file from memory on each save, every resolver
/// section included, without taking acmectl's lock: what acmectl writes into that file while
/// Traefik runs is neither served nor kept.
///
/// Detection, without privileges: every process in /proc whose name (comm) or argv[0] is
/// "traefik" is looked at, and the storage paths it names are compared with the store's path:
/// - its arguments: --certificatesresolvers.NAME.acme.storage=PATH (or PATH as the next
///   argument), any case, as Traefik accepts flags;
/// - its environment (readable for one's own processes, or as root):
///   TRAEFIK_CERTIFICATESRESOLVERS_NAME_ACME_STORAGE=PATH;
/// - its static configuration file (--configfile, else traefik.yml/.yaml/.toml in /etc/traefik
///   or its working directory): every `storage:` (YAML) or `storage =` (TOML) value.
/// A relative path is taken from the process's working directory. Two paths match when they are
/// the same file (also through the process's root, /proc/PID/root, which sees into a container
/// when permissions allow), or the same path once made absolute and normal. What cannot be
/// seen is not reported: a Traefik in another PID namespace (another container without a shared
/// PID namespace) or on another host, a configuration file that cannot be read, storage given
/// by a provider other than these three.

#include <string>
#include <vector>

namespace acmecpp {

/// One running Traefik process that names the store as its ACME storage.
struct TraefikStorageUser {
  int pid = 0;
  /// Traefik's resolver name, when the argument or variable named it; empty for a
  /// configuration file (its resolver is not parsed).
  std::string resolver;
  /// Where the storage path was found: the argument, the variable's name, or the file's path.
  std::string source;
};

/// The running Traefik processes whose ACME storage is `store_path` (an acme.json path).
/// Never throws for what it cannot read; an empty list when none is found.
std::vector<TraefikStorageUser> traefik_processes_using(const std::string& store_path);

}  // namespace acmecpp
