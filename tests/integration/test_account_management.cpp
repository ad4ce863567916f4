// SPDX-License-Identifier: Apache-2.0
// Account changes against a real Pebble: key rollover (RFC 8555 section 7.3.5), contact update
// and deactivation, through CertManager, checked with a separate raw acme::Client.

#include <doctest/doctest.h>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/cert_manager.hpp"
#include "support/http01_listener.hpp"
#include "support/pebble_env.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

acme::ClientOptions client_options(const PebbleEnv& pebble) {
  acme::ClientOptions options;
  options.directory_url = pebble.directory_url();
  options.ca_bundle = pebble.ca_bundle().string();
  return options;
}

AccountRecord stored_account(const std::filesystem::path& store_path) {
  const auto account = AcmeJsonStore(store_path.string()).load_account("test");
  REQUIRE(account.has_value());
  return *account;
}

/// The problem a request signed for an account the server no longer honours comes back with.
Problem problem_of_get_account(acme::Client& client) {
  try {
    client.get_account();
  } catch (const AcmeError& e) {
    return e.problem();
  }
  FAIL("the server accepted the request");
  return {};
}

}  // namespace

TEST_CASE("key rollover: the old key stops working, the new one works and is stored") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  CertManager manager(pebble_manager_config(pebble, dir / "acme.json", handler));
  const auto account = manager.ensure_account();
  const auto old_key = PrivateKey::from_der(stored_account(dir / "acme.json").private_key_der);

  manager.rollover_account_key();

  const auto stored = stored_account(dir / "acme.json");
  CHECK(stored.uri == account.url);
  const auto new_key = PrivateKey::from_der(stored.private_key_der);
  CHECK(new_key.to_der() != old_key.to_der());
  CHECK(new_key.type() == old_key.type());

  acme::Client client(client_options(pebble));
  // Looked up by key (jwk form): the old key no longer names an account...
  CHECK_FALSE(client.find_account(old_key).has_value());
  // ...and a request signed with it for the account URL (kid form) is refused.
  client.use_account(old_key, account.url);
  const Problem refused = problem_of_get_account(client);
  MESSAGE("old key refused with: " << refused.summary());
  CHECK(
      (refused.is("unauthorized") || refused.is("accountDoesNotExist") || refused.is("malformed")));
  const auto found = client.find_account(new_key);
  REQUIRE(found.has_value());
  CHECK(found->url == account.url);
  CHECK(client.get_account().status == "valid");

  // The manager itself carries on with the new key.
  const auto issued = manager.obtain({"rollover.example.test"});
  CHECK(issued.record.main == "rollover.example.test");
}

TEST_CASE("key change to a key another account already has is refused, the old key stays") {
  PebbleEnv pebble;
  acme::Client first(client_options(pebble));
  acme::Client second(client_options(pebble));
  const auto first_key = PrivateKey::generate(KeyType::ec256);
  const auto second_key = PrivateKey::generate(KeyType::ec256);
  const auto first_account = first.new_account(first_key, {}, true);
  second.new_account(second_key, {}, true);
  CHECK_THROWS_AS(first.key_change(second_key), AcmeError);
  // Still signing with (and bound to) its own key.
  CHECK(first.get_account().url == first_account.url);
}

TEST_CASE("updating the email changes the account's contact and the stored email") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  CertManager manager(pebble_manager_config(pebble, dir / "acme.json", handler));
  const auto account = manager.ensure_account();
  REQUIRE(account.contact == std::vector<std::string>{"mailto:renewal@example.test"});

  const auto updated = manager.update_account_email("changed@example.test");
  CHECK(updated.contact == std::vector<std::string>{"mailto:changed@example.test"});

  const auto stored = stored_account(dir / "acme.json");
  CHECK(stored.email == "changed@example.test");
  acme::Client client(client_options(pebble));
  client.use_account(PrivateKey::from_der(stored.private_key_der), stored.uri);
  CHECK(client.get_account().contact == std::vector<std::string>{"mailto:changed@example.test"});
  CHECK(client.update_account({}).contact.empty());
}

TEST_CASE(
    "a deactivated account is refused by the server and never replaced behind the operator's "
    "back: only AccountCheck::register_new registers a new one") {
  PebbleEnv pebble;
  TempDir dir;
  auto handler = std::make_shared<Http01Handler>();
  Http01Listener listener(handler, pebble.http_port());
  CertManager manager(pebble_manager_config(pebble, dir / "acme.json", handler));
  const auto account = manager.ensure_account();

  const auto deactivated = manager.deactivate_account();
  CHECK(deactivated.status == "deactivated");
  const auto stored = stored_account(dir / "acme.json");
  CHECK(stored.registration_body.find("\"deactivated\"") != std::string::npos);

  acme::Client client(client_options(pebble));
  client.use_account(PrivateKey::from_der(stored.private_key_der), stored.uri);
  const Problem refused = problem_of_get_account(client);
  MESSAGE("deactivated account refused with: " << refused.summary());
  CHECK(refused.is("unauthorized"));

  // A new account would break CAA accounturi records and every "replaces": refused, named.
  try {
    manager.obtain({"after-deactivation.example.test"});
    FAIL("a new account was registered behind the operator's back");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::config);
    CHECK(std::string(e.what()).find(account.url) != std::string::npos);
  }
  CHECK_THROWS_AS(manager.ensure_account(CertManager::AccountCheck::ask_server), Error);
  CHECK(stored_account(dir / "acme.json").uri == account.url);

  bool created = false;
  manager.ensure_account(CertManager::AccountCheck::register_new, &created);
  CHECK(created);
  manager.obtain({"after-deactivation.example.test"});
  const auto replacement = stored_account(dir / "acme.json");
  CHECK(replacement.uri != account.url);
  CHECK(replacement.private_key_der != stored.private_key_der);
}
