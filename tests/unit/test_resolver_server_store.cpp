// SPDX-License-Identifier: Apache-2.0
// The server a resolver section belongs to (Store::load_server/save_server): in acme.json under
// the section's own "acmecpp"."server" beside the orders kept there (Traefik ignores the member),
// and in the memory store of dry runs and the engine's tests.

#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "support/memory_store.hpp"
#include "support/store_test_files.hpp"

using namespace acmecpp;
using Json = nlohmann::ordered_json;
using store_test::copy_fixture;
using store_test::read_json;
using store_test::TempDir;

namespace {

constexpr const char* kUrl = "https://ca.example.test/directory";

void check_round_trip(Store& store) {
  CHECK(store.load_server("le").empty());
  store.save_server("le", kUrl);
  CHECK(store.load_server("le") == kUrl);
  CHECK(store.load_server("other").empty());
  // Recorded for a new section: the section exists from then on.
  CHECK(store.resolvers() == std::vector<std::string>{"le"});
}

}  // namespace

TEST_CASE("a resolver's server round-trips through acme.json, beside its kept orders") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  {
    AcmeJsonStore store(path);
    check_round_trip(store);
    PendingOrder order;
    order.order_url = "https://ca.example.test/acme/order/1/2";
    order.names = {"a.example.test"};
    store.save_pending_order("le", order);
    CHECK(store.remove_pending_order("le", "a.example.test"));
  }
  // The member stays (it still holds the server) once the last order is gone.
  CHECK(read_json(path).at("le").at("acmecpp") == Json{{"server", kUrl}});
  CHECK(AcmeJsonStore(path).load_server("le") == kUrl);
}

TEST_CASE(
    "a Traefik-written section has no server, and recording one leaves Traefik's fields alone") {
  TempDir dir;
  const std::string path = copy_fixture(dir, "traefik-rsa.acme.json");
  const Json original = read_json(path);
  AcmeJsonStore store(path);
  const auto resolver = store.resolvers().front();
  CHECK(store.load_server(resolver).empty());
  store.save_server(resolver, kUrl);
  // Kept for the next write: recording a server alone never rewrites the file.
  CHECK(read_json(path) == original);
  CHECK(store.load_server(resolver) == kUrl);
  store.flush_batch();
  Json changed = read_json(path);
  CHECK(changed.at(resolver).at("acmecpp").at("server") == kUrl);
  changed.at(resolver).erase("acmecpp");
  CHECK(changed == original);
}

TEST_CASE("a server that is not a string is a storage error naming the place") {
  TempDir dir;
  const std::string path = dir.file("acme.json");
  store_test::write_file(
      path, R"({"le": {"Account": null, "Certificates": null, "acmecpp": {"server": 7}}})");
  AcmeJsonStore store(path);
  CHECK_THROWS_AS(store.load_server("le"), Error);
}

TEST_CASE("a resolver's server round-trips through the memory store") {
  testing::MemoryStore store;
  check_round_trip(store);
}
