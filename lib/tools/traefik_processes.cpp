// SPDX-License-Identifier: Apache-2.0
// traefik_processes_using(): a running Traefik whose ACME storage is a given acme.json, found in
// /proc without privileges (see traefik_processes.hpp for what is and is not seen).

#include "tools/traefik_processes.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "core/ascii.hpp"

namespace acmecpp {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFlagPrefix = "--certificatesresolvers.";
constexpr std::string_view kFlagSuffix = ".acme.storage";
// Lower case: names are compared after core::ascii_lower.
constexpr std::string_view kVariablePrefix = "traefik_certificatesresolvers_";
constexpr std::string_view kVariableSuffix = "_acme_storage";

struct Candidate {
  std::string path, resolver, source;
};

std::optional<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

/// /proc/PID/cmdline or environ: NUL-separated strings.
std::vector<std::string> split_nul(const std::string& text) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (start < text.size()) {
    auto end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool is_traefik(const fs::path& process, const std::vector<std::string>& argv) {
  auto comm = read_whole(process / "comm").value_or("");
  while (!comm.empty() && std::isspace(static_cast<unsigned char>(comm.back()))) comm.pop_back();
  if (comm == "traefik") return true;
  return !argv.empty() && fs::path(argv.front()).filename() == "traefik";
}

/// The resolver of "--certificatesresolvers.NAME.acme.storage" (already lower-cased), if it is
/// such a flag.
std::optional<std::string> resolver_of_flag(const std::string& flag) {
  if (!starts_with(flag, kFlagPrefix) || !ends_with(flag, kFlagSuffix)) return std::nullopt;
  if (flag.size() <= kFlagPrefix.size() + kFlagSuffix.size()) return std::nullopt;
  return flag.substr(kFlagPrefix.size(), flag.size() - kFlagPrefix.size() - kFlagSuffix.size());
}

void from_arguments(const std::vector<std::string>& argv, std::vector<Candidate>& found,
                    std::optional<std::string>& config_file) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const auto equals = argv[i].find('=');
    const std::string flag = core::ascii_lower(argv[i].substr(0, equals));
    const bool has_value = equals != std::string::npos || i + 1 < argv.size();
    if (!has_value) continue;
    const std::string value =
        equals != std::string::npos ? argv[i].substr(equals + 1) : argv[i + 1];
    if (flag == "--configfile") config_file = value;
    if (const auto resolver = resolver_of_flag(flag)) {
      found.push_back({value, *resolver, argv[i].substr(0, equals)});
    }
  }
}

void from_environment(const fs::path& process, std::vector<Candidate>& found) {
  const auto variables = read_whole(process / "environ");
  if (!variables) return;
  for (const auto& entry : split_nul(*variables)) {
    const auto equals = entry.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = core::ascii_lower(std::string_view(entry).substr(0, equals));
    if (!starts_with(name, kVariablePrefix) || !ends_with(name, kVariableSuffix)) continue;
    if (name.size() <= kVariablePrefix.size() + kVariableSuffix.size()) continue;
    const std::string resolver = name.substr(
        kVariablePrefix.size(), name.size() - kVariablePrefix.size() - kVariableSuffix.size());
    found.push_back({entry.substr(equals + 1), resolver, entry.substr(0, equals)});
  }
}

std::string unquoted(std::string value) {
  // A comment after the value ("# ..." in both YAML and TOML) and surrounding space go.
  if (!value.empty() && value.front() != '"' && value.front() != '\'') {
    const auto hash = value.find(" #");
    if (hash != std::string::npos) value.erase(hash);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
    const auto close = value.find(value.front(), 1);
    if (close != std::string::npos) return value.substr(1, close - 1);
  }
  return value;
}

/// The values of "storage: X" (YAML) and "storage = X" (TOML) lines, any case of the key.
std::vector<std::string> storage_values(const std::string& text) {
  std::vector<std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    if (core::ascii_lower(line.substr(start, 7)) != "storage") continue;
    auto rest = line.find_first_not_of(" \t", start + 7);
    if (rest == std::string::npos || (line[rest] != ':' && line[rest] != '=')) continue;
    rest = line.find_first_not_of(" \t", rest + 1);
    if (rest == std::string::npos) continue;
    values.push_back(unquoted(line.substr(rest)));
  }
  return values;
}

std::optional<fs::path> working_directory(const fs::path& process) {
  std::error_code error;
  auto cwd = fs::read_symlink(process / "cwd", error);
  if (error) return std::nullopt;
  return cwd;
}

/// `path` as the process sees it, made absolute against its working directory.
std::optional<fs::path> absolute_for(const fs::path& process, const std::string& path) {
  if (path.empty()) return std::nullopt;
  fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal();
  const auto cwd = working_directory(process);
  if (!cwd) return std::nullopt;
  return (*cwd / p).lexically_normal();
}

void from_configuration(const fs::path& process, const std::optional<std::string>& named,
                        std::vector<Candidate>& found) {
  std::vector<fs::path> files;
  if (named) {
    if (const auto file = absolute_for(process, *named)) files.push_back(*file);
  } else {
    const auto cwd = working_directory(process);
    for (const char* name : {"traefik.toml", "traefik.yml", "traefik.yaml"}) {
      files.push_back(fs::path("/etc/traefik") / name);
      if (cwd) files.push_back(*cwd / name);
    }
  }
  for (const auto& file : files) {
    // Through the process's root first: a container's /etc/traefik is not ours.
    auto text = read_whole(process / "root" / file.relative_path());
    if (!text) text = read_whole(file);
    if (!text) continue;
    for (const auto& value : storage_values(*text)) found.push_back({value, "", file.string()});
  }
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code error;
  return fs::equivalent(a, b, error) && !error;
}

bool names_store(const fs::path& process, const std::string& path, const fs::path& store) {
  const auto absolute = absolute_for(process, path);
  if (!absolute) return false;
  if (same_file(process / "root" / absolute->relative_path(), store)) return true;
  if (same_file(*absolute, store)) return true;
  std::error_code error;
  const auto normal = fs::weakly_canonical(*absolute, error);
  return !error && normal == store;
}

/// The parent's PID from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold anything,
/// so the fields are read after its last ')'); 0 when unreadable.
int parent_pid(const fs::path& process) {
  const auto stat = read_whole(process / "stat");
  if (!stat) return 0;
  const auto close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat->substr(close + 1));
  std::string state;
  int parent = 0;
  fields >> state >> parent;
  return fields ? parent : 0;
}

/// A process that Traefik forked and that has not yet run another program shows the same name,
/// arguments and environment: it is the same Traefik, counted once (its parent).
void drop_forks(std::vector<TraefikStorageUser>& users, const std::vector<int>& parents) {
  std::vector<TraefikStorageUser> kept;
  for (std::size_t i = 0; i < users.size(); ++i) {
    const bool forked = std::any_of(users.begin(), users.end(),
                                    [&](const auto& user) { return user.pid == parents[i]; });
    if (!forked) kept.push_back(users[i]);
  }
  users = std::move(kept);
}

}  // namespace

std::vector<TraefikStorageUser> traefik_processes_using(const std::string& store_path) {
  std::vector<TraefikStorageUser> users;
  std::vector<int> parents;  // of each user, same order
  std::error_code error;
  const fs::path store = fs::weakly_canonical(fs::absolute(store_path, error), error);
  if (error) return users;
  const auto self = std::to_string(::getpid());
  for (fs::directory_iterator it("/proc", error), end; !error && it != end; it.increment(error)) {
    const std::string pid = it->path().filename().string();
    if (pid.empty() || pid == self || pid.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const auto cmdline = read_whole(it->path() / "cmdline");
    if (!cmdline) continue;
    const auto argv = split_nul(*cmdline);
    if (!is_traefik(it->path(), argv)) continue;
    std::vector<Candidate> found;
    std::optional<std::string> config_file;
    from_arguments(argv, found, config_file);
    from_environment(it->path(), found);
    from_configuration(it->path(), config_file, found);
    for (const auto& candidate : found) {
      if (!names_store(it->path(), candidate.path, store)) continue;
      users.push_back({std::stoi(pid), candidate.resolver, candidate.source});
      parents.push_back(parent_pid(it->path()));
      break;
    }
  }
  drop_forks(users, parents);
  return users;
}

}  // namespace acmecpp
