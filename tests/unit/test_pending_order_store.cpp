// SPDX-License-Identifier: Apache-2.0
// The order in flight (PendingOrder) kept by the stores: in acme.json under the resolver's
// "acmecpp"."orders" (Traefik ignores the member, and the file stays in Traefik's layout), and in
// the memory store the engine's tests use.

#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "support/memory_store.hpp"
#include "support/store_test_files.hpp"

using namespace acmecpp;
using Json = nlohmann::ordered_json;
using std::chrono::seconds;
using store_test::copy_fixture;
using store_test::read_json;
using store_test::TempDir;

namespace {

using TimePoint = std::chrono::system_clock::time_point;

PendingOrder order_for(const std::string& main) {
  PendingOrder order;
  order.order_url = "https://ca.example.test/acme/order/1/2";
  order.names = {main, "www." + main};
  order.account_url = "https://ca.example.test/acme/acct/1";
  order.key_pem = "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n";
  order.profile = "shortlived";
  order.replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
  order.created = TimePoint(seconds(1735700000));
  order.expires = TimePoint(seconds(1736304800));
  return order;
}

void check_round_trip(Store& store) {
  CHECK_FALSE(store.load_pending_order("le", "a.example.test"));
  CHECK_FALSE(store.remove_pending_order("le", "a.example.test"));
  store.save_pending_order("le", order_for("a.example.test"));
  store.save_pending_order("le", order_for("b.example.test"));
  const auto loaded = store.load_pending_order("le", "A.Example.Test");  // ignoring case
  REQUIRE(loaded);
  CHECK(*loaded == order_for("a.example.test"));
  CHECK_FALSE(store.load_pending_order("other", "a.example.test"));

  PendingOrder replaced = order_for("a.example.test");
  replaced.order_url = "https://ca.example.test/acme/order/1/3";
  replaced.profile.clear();
  replaced.replaces.clear();
  replaced.expires.reset();
  store.save_pending_order("le", replaced);
  CHECK(*store.load_pending_order("le", "a.example.test") == replaced);

  CHECK(store.remove_pending_order("le", "a.example.test"));
  CHECK_FALSE(store.load_pending_order("le", "a.example.test"));
  CHECK(*store.load_pending_order("le", "b.example.test") == order_for("b.example.test"));
  CHECK_THROWS_AS(store.save_pending_order("le", PendingOrder{}), Error);
}

}  // namespace

TEST_CASE("a pending order round-trips through acme.json under the resolver's \"acmecpp\"") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  {
    AcmeJsonStore store(path);
    check_round_trip(store);
  }
  AcmeJsonStore reopened(path);
  CHECK(*reopened.load_pending_order("le", "b.example.test") == order_for("b.example.test"));
  CHECK(store_test::file_mode(path) == 0600);  // it holds a private key

  const Json document = read_json(path);
  const Json& orders = document.at("le").at("acmecpp").at("orders");
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].at("url") == "https://ca.example.test/acme/order/1/2");
  CHECK(orders[0].at("names") == Json::array({"b.example.test", "www.b.example.test"}));
  CHECK(orders[0].at("created") == "2025-01-01T02:53:20Z");
  // The key as Traefik keeps a certificate's: base64 of the PEM, never the PEM itself.
  CHECK(orders[0].at("key").get<std::string>().find("BEGIN") == std::string::npos);
  // Traefik's own members stay first, as Traefik writes a resolver section.
  std::vector<std::string> keys;
  for (const auto& item : document.at("le").items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"Account", "Certificates", "acmecpp"});

  CHECK(reopened.remove_pending_order("le", "b.example.test"));
  CHECK_FALSE(read_json(path).at("le").contains("acmecpp"));  // no empty member left behind
}

TEST_CASE("a pending order round-trips through the memory store") {
  testing::MemoryStore store;
  check_round_trip(store);
}

TEST_CASE("a Traefik file with a pending order keeps Traefik's layout and content") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  const Json original = read_json(path);
  AcmeJsonStore store(path);
  const auto resolver = store.resolvers().front();
  const auto certificates = store.certificates(resolver);
  const auto account = store.load_account(resolver);
  store.save_pending_order(resolver, order_for("pending.example.test"));

  // What Traefik decodes (Account, Certificates) is as it was: the only change is acmecpp's
  // member, which encoding/json ignores.
  Json changed = read_json(path);
  REQUIRE(changed.at(resolver).contains("acmecpp"));
  changed.at(resolver).erase("acmecpp");
  CHECK(changed == original);
  const std::string text = store_test::read_file(path);
  CHECK(text.substr(0, 4) == "{\n  ");  // json.MarshalIndent's layout
  CHECK(text.back() == '}');

  AcmeJsonStore reread(path);
  CHECK(reread.certificates(resolver).size() == certificates.size());
  CHECK(reread.load_account(resolver)->uri == account->uri);
  // Storing a certificate keeps the order; removing the order brings back the original file.
  reread.save_certificate(resolver, certificates.front());
  CHECK(reread.load_pending_order(resolver, "pending.example.test"));
  reread.remove_pending_order(resolver, "pending.example.test");
  CHECK(read_json(path) == original);
}

TEST_CASE("a damaged \"acmecpp\" member of a resolver is reported with its place") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  AcmeJsonStore(path).save_pending_order("le", order_for("bad.example.test"));
  Json document = read_json(path);
  document["le"]["acmecpp"]["orders"][0]["created"] = "soon";
  store_test::write_file(path, document.dump());
  CHECK_THROWS_WITH_AS(AcmeJsonStore(path).load_pending_order("le", "bad.example.test"),
                       doctest::Contains("acmecpp.orders[0]"), Error);
  document["le"]["acmecpp"] = {{"orders", "none"}};
  store_test::write_file(path, document.dump());
  CHECK_THROWS_WITH_AS(AcmeJsonStore{path}, doctest::Contains("\"orders\" must be an array"),
                       Error);
}
