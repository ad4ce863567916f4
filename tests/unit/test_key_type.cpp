// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"

using namespace acmecpp;

TEST_CASE("key types have a CLI spelling that parses back, in any case") {
  CHECK(to_string(KeyType::ec256) == "ec256");
  CHECK(to_string(KeyType::rsa4096) == "rsa4096");
  for (const KeyType type :
       {KeyType::ec256, KeyType::ec384, KeyType::rsa2048, KeyType::rsa3072, KeyType::rsa4096}) {
    CHECK(parse_key_type(to_string(type)) == type);
  }
  CHECK(parse_key_type("EC384") == KeyType::ec384);
  CHECK(parse_key_type("Rsa3072") == KeyType::rsa3072);
}

TEST_CASE("an unknown key type is invalid input naming the value") {
  try {
    parse_key_type("dsa1024");
    FAIL("dsa1024 was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(std::string(e.what()).find("\"dsa1024\"") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_key_type(""), Error);
}

TEST_CASE("Traefik's acme.json KeyType is written in lego's certcrypto spelling") {
  CHECK(to_traefik_key_type(KeyType::ec256) == "P256");
  CHECK(to_traefik_key_type(KeyType::ec384) == "P384");
  CHECK(to_traefik_key_type(KeyType::rsa2048) == "2048");
  CHECK(to_traefik_key_type(KeyType::rsa3072) == "3072");
  CHECK(to_traefik_key_type(KeyType::rsa4096) == "4096");
}

TEST_CASE("Traefik's KeyType is read in lego's and in Traefik's configuration spelling") {
  CHECK(from_traefik_key_type("P256") == KeyType::ec256);
  CHECK(from_traefik_key_type("P384") == KeyType::ec384);
  CHECK(from_traefik_key_type("2048") == KeyType::rsa2048);
  CHECK(from_traefik_key_type("3072") == KeyType::rsa3072);
  CHECK(from_traefik_key_type("4096") == KeyType::rsa4096);
  CHECK(from_traefik_key_type("EC256") == KeyType::ec256);
  CHECK(from_traefik_key_type("EC384") == KeyType::ec384);
  CHECK(from_traefik_key_type("RSA2048") == KeyType::rsa2048);
  CHECK(from_traefik_key_type("RSA4096") == KeyType::rsa4096);
  CHECK(from_traefik_key_type("rsa4096") == KeyType::rsa4096);
  // Valid for Traefik, but not a type acmecpp generates.
  CHECK_FALSE(from_traefik_key_type("8192").has_value());
  CHECK_FALSE(from_traefik_key_type("RSA8192").has_value());
  CHECK_FALSE(from_traefik_key_type("").has_value());
  CHECK_FALSE(from_traefik_key_type("P521").has_value());
}
